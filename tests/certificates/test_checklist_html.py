"""The requirements' checklist and the dashboard's certification section, written in Python
(issue 18): every stage (working, certified, renewal open, expired, revoked, no requirements),
for the volunteer (with links to act), a coordinator and a trainer (states only), well formed,
escaped, and in the reader's language."""

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace as NS

import pytest
from django.utils import translation

from certificates.dashboard_html import render_checklist, render_dashboard_certification
from certificates.eligibility import Eligibility
from certificates.models import Certificate
from tests.html_check import assert_balanced

TODAY = date(2027, 3, 10)
TRACK = NS(pk=7, local_title='Listening & <care> "first"')
CHECKS = [
    NS(met=True, label="Sign <the> agreement", detail='Signed & "kept"',
       done_at=datetime(2027, 3, 1, 23, 30, tzinfo=UTC), link=None),
    NS(met=False, label="Attend 50%", detail="1 of 4 attended", done_at=None, link=None),
    NS(met=False, label="Course", detail="", done_at=None,
       link=NS(url="/courses/a/?x=1&y=2", text="Go to the course")),
]  # fmt: skip


def _certificate(expires, *, revoked=False):
    revoked_at = datetime(2027, 3, 9, tzinfo=UTC) if revoked else None
    return Certificate(expires_on=expires, valid_from=TODAY - timedelta(days=3), code="A" * 26,
                       revoked_at=revoked_at)  # fmt: skip


STAGES = {
    "working": lambda: Eligibility(track=TRACK, stage="working", path="initial", checks=CHECKS),
    "no requirements": lambda: Eligibility(track=TRACK, stage="working", path="initial"),
    "certified": lambda: Eligibility(
        track=TRACK, stage="certified", path=None, current=_certificate(date(2028, 3, 1)),
        renewal_opens=date(2028, 1, 1)),
    "renewal open": lambda: Eligibility(
        track=TRACK, stage="renewal", path="renewal", checks=CHECKS[:2],
        current=_certificate(date(2099, 4, 1)), renewal_opens=date(2027, 1, 1)),
    "expired": lambda: Eligibility(
        track=TRACK, stage="renewal", path="renewal", checks=CHECKS,
        current=_certificate(date(2020, 3, 1)), renewal_opens=date(2019, 12, 1)),
    "revoked": lambda: Eligibility(
        track=TRACK, stage="revoked", path="initial", checks=CHECKS,
        current=_certificate(date(2028, 1, 1), revoked=True)),
}  # fmt: skip
READERS = {"volunteer": {"actions": True}, "coordinator": {}, "trainer": {"for_trainer": True}}


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("language", ["en", "es", "ar"])
def test_every_stage_for_every_reader_is_well_formed(stage, reader, language):
    with translation.override(language):
        assert_balanced(render_checklist(STAGES[stage](), **READERS[reader]))


def test_the_volunteer_sees_details_escaped_and_a_link_for_what_is_left():
    html = str(render_checklist(STAGES["working"](), actions=True))
    assert "<strong>1 of 3 requirements met</strong>" in html
    assert "Sign &lt;the&gt; agreement — " in html and "Signed &amp; &quot;kept&quot;" in html
    assert '<a href="/courses/a/?x=1&amp;y=2">Go to the course</a>' in html
    assert html.count('<li class="met">') == 1 and html.count('<li class="open">') == 2


def test_a_trainer_reads_states_only_and_never_a_revocation():
    html = str(render_checklist(STAGES["revoked"](), for_trainer=True))
    assert "Signed &amp;" not in html and "1 of 4 attended" not in html and "<a " not in html
    assert "Not met yet" in html and "revoked" not in html
    assert "2027" not in html  # when a check was met: not a trainer's to read
    coordinator = str(render_checklist(STAGES["revoked"]()))
    assert "was revoked" in coordinator and "<a " not in coordinator


def test_the_dates_a_stage_names():
    certified = str(render_checklist(STAGES["certified"]()))
    assert "Certified until 1 March 2028." in certified and "opens on 1 January 2028" in certified
    expired = str(render_checklist(STAGES["expired"]()))
    assert "The certificate expired on 1 March 2020" in expired
    assert "Renewal is open: the certificate is valid until 1 April 2099." in str(
        render_checklist(STAGES["renewal open"]())
    )
    assert "no requirements yet" in str(render_checklist(STAGES["no requirements"]()))


def test_the_section_in_the_readers_language_with_the_pool_and_a_pending_review():
    data = {"results": [STAGES["working"]()], "pending": {7}, "certificates": [],
            "pool_member": NS(in_pool=False), "pool_eligible": True, "moment": []}  # fmt: skip
    with translation.override("es"):
        html = str(render_dashboard_certification(data))
        words = [translation.gettext(w) for w in ("Certification", "Join the responder pool")]
    assert_balanced(html)
    assert all(word in html for word in words) and "Certification<" not in html
    assert "<h3>Listening &amp; &lt;care&gt; &quot;first&quot;</h3>" in html
