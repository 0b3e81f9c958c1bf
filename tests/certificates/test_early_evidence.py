"""The evidence read by a query of its own (live sessions, sign-offs, hours of courses) goes to
the database with the requirements, as the tracks read said where the person stands (issue 18:
the dashboard in two round trips after the person's); what is read is what compute_many finds,
and a guess the certificates and requirements do not bear out is read again after them."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from certificates import eligibility
from certificates import selectors as certification
from certificates.models import Requirement
from cohorts.models import SkillSignOff
from tests.certificates.factories import (
    add_requirement,
    join,
    make_certificate,
    make_cohort,
    make_session,
    make_skill,
    make_track,
    mark,
    person,
)
from training.prepared import Together, run_stages

KINDS = (Requirement.Kind.ATTENDANCE, Requirement.Kind.SKILL,
         Requirement.Kind.CONTINUING_EDUCATION)  # fmt: skip


def _on_track(user, slug, *, path=Requirement.Path.INITIAL):
    """A track of a cohort `user` belongs to, with a requirement of each of KINDS on `path`: a
    session attended (one to come), the skill signed off by a trainer of the cohort."""
    track = make_track(slug)
    cohort = make_cohort(track, f"{slug}-cohort")
    join(cohort, user)
    mark(make_session(cohort, days_ago=3), user)
    make_session(cohort, days_ago=-2)
    skill = make_skill(cohort)
    SkillSignOff.objects.create(skill=skill, user=user, cohort=cohort, signed_by=person())
    add_requirement(track, Requirement.Kind.ATTENDANCE, path=path, min_attendance=50)
    add_requirement(track, Requirement.Kind.SKILL, path=path, skill=skill)
    add_requirement(track, Requirement.Kind.CONTINUING_EDUCATION, path=path)
    return track


def _in_renewal(user, track):
    """A certificate of `track` whose renewal window opened 30 days ago."""
    expires = date.today() + timedelta(days=track.renewal_opens_days - 30)
    return make_certificate(user, track, valid_from=expires - timedelta(days=700),
                            expires_on=expires)  # fmt: skip


def _state(results) -> list:
    return [
        (r.track.pk, r.stage, r.path, r.since,
         [(c.requirement.pk, c.met, c.detail, c.done_at) for c in r.checks])
        for r in results
    ]  # fmt: skip


def _trips(client, monkeypatch) -> int:
    """The round trips (training.prepared.Together) of one dashboard, after a first one."""
    assert client.get(reverse("dashboard")).status_code == 200
    sent = []
    send = Together._send
    monkeypatch.setattr(Together, "_send", lambda self, todo: sent.append(len(todo)) or
                        send(self, todo))  # fmt: skip
    assert client.get(reverse("dashboard")).status_code == 200
    monkeypatch.setattr(Together, "_send", send)
    return len(sent)


@pytest.mark.django_db
def test_the_dashboard_reads_the_evidence_with_the_requirements(client, monkeypatch):
    user = person()
    _on_track(user, "early-first")
    renewing = _on_track(user, "early-renewal", path=Requirement.Path.RENEWAL)
    _in_renewal(user, renewing)
    client.force_login(user)
    # The roles and every section's first reads; then the requirements with their evidence.
    assert _trips(client, monkeypatch) <= 2
    page = client.get(reverse("dashboard")).content.decode()
    assert page.count('class="checklist"') == 2
    overview = certification.certification_overview(user=user)
    assert _state(overview["results"]) == _state(
        eligibility.compute_many(user, [r.track for r in overview["results"]])
    )
    # Each kind's check saw its evidence: a session of two attended, the skill signed off.
    for result in overview["results"]:
        details = {c.requirement.kind: (c.met, c.detail) for c in result.checks}
        assert details[Requirement.Kind.ATTENDANCE] == (True, "1 of 2 attended (1 still to come)")
        assert details[Requirement.Kind.SKILL] == (True, "Signed off by a trainer")


@pytest.mark.django_db
def test_a_person_on_no_kind_read_early_reads_nothing_more():
    user = person()
    track = make_track("early-none")
    join(make_cohort(track, "early-none-cohort"), user)
    add_requirement(track, Requirement.Kind.AGREEMENT)
    together = Together()
    tracks = certification._FOLLOWED.run(user=user.pk, language="en")
    assert eligibility.queue_early_evidence(together, user, tracks) == {}
    assert not together.pending


def _with_tracks_read_before(user, change):
    """The results when `change()` happens between reading the tracks (early_annotations) and
    the rest, and the number of round trips after the tracks."""
    tracks = certification._FOLLOWED.run(user=user.pk, language="en")
    change()
    together, sent = Together(), []
    send = together._send
    together._send = lambda todo: sent.append(len(todo)) or send(todo)
    early = eligibility.queue_early_evidence(together, user, tracks)
    step = eligibility.stage_compute_many(together, user, tracks, early=early)
    return run_stages(together, {"results": step})["results"], len(sent)


@pytest.mark.django_db
@pytest.mark.parametrize("change", ["nothing", "revoked", "issued", "requirement"])
def test_what_the_tracks_read_did_not_foresee_is_read_after_the_requirements(change):
    user = person()
    track = _on_track(user, f"early-{change}", path=Requirement.Path.RENEWAL)
    for kind in KINDS:
        add_requirement(track, kind, path=Requirement.Path.INITIAL,
                        **{"min_attendance": 100} if kind == Requirement.Kind.ATTENDANCE else {},
                        **{"skill": make_skill(make_cohort(track))}
                        if kind == Requirement.Kind.SKILL else {})  # fmt: skip
    if change != "issued":
        certificate = _in_renewal(user, track)
    other = make_track(f"early-{change}-other")
    join(make_cohort(other), user)

    def act():
        if change == "revoked":  # the first path's evidence, from the start: read again
            certificate.revoked_at = timezone.now()
            certificate.save(update_fields=["revoked_at"])
        elif change == "issued":  # the renewal's, read from the start already: kept
            _in_renewal(user, track)
        elif change == "requirement":  # a track with no kind read early now has one
            add_requirement(other, Requirement.Kind.ATTENDANCE, min_attendance=10)

    results, trips = _with_tracks_read_before(user, act)
    assert _state(results) == _state(eligibility.compute_many(user, [r.track for r in results]))
    # The certificates, the requirements and what was read early; then what was not foreseen.
    assert trips == (3 if change in ("revoked", "requirement") else 2)
