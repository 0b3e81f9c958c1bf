"""A person's history on a track (coordinators): sign-offs, attendance, agreements signed,
exceptions, decisions and certificate events, in one timeline, in words, in the viewer's zone,
with a fixed number of queries (issue 15, broken #7)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certificates import services
from certificates.history import timeline
from certificates.models import (
    ACCOUNT_DELETED,
    AgreementSignature,
    CertificationEvent,
    CertificationRequest,
    Requirement,
    TrackSkill,
)
from cohorts.models import Attendance, SkillSignOff
from tests.conftest import login_with_mfa

from .factories import (
    add_requirement,
    join,
    make_agreement,
    make_cohort,
    make_session,
    make_track,
    mark,
    person,
)
from .pool_factories import PoolMemberFactory

pytestmark = pytest.mark.django_db
Kind = Requirement.Kind


@pytest.fixture
def story(coordinator, trainer):
    """A volunteer on a track through one cohort, with a bit of everything."""
    volunteer = person(display_name="Ana G.", email="ana.history@example.org",
                       time_zone="America/Bogota")  # fmt: skip
    track = make_track(title="Peer supporter", approval="coordinator")
    cohort = make_cohort(track, trainer=trainer, title="Autumn cohort")
    join(cohort, volunteer)
    skill = TrackSkill.objects.create(track=track, name="First contact role-play")
    agreement = make_agreement(title="Code of conduct")
    add_requirement(track, Kind.SKILL, skill=skill)
    add_requirement(track, Kind.AGREEMENT, agreement=agreement)
    attendance = add_requirement(track, Kind.ATTENDANCE, min_attendance=50)

    session = make_session(cohort, days_ago=5, title="Listening without judgement")
    mark(session, volunteer, Attendance.Status.PRESENT)
    caught = make_session(cohort, days_ago=3, title="Documenting abuse")
    mark(caught, volunteer, status="", caught_up=True)
    SkillSignOff.objects.create(skill=skill, user=volunteer, cohort=cohort, signed_by=trainer)
    AgreementSignature.objects.create(user=volunteer, version=agreement.current_version(),
                                      language="es")  # fmt: skip
    exception = services.exception_grant(user=volunteer, requirement=attendance,
                                         reason="Attended the partner's training.",
                                         by=coordinator)  # fmt: skip
    services.exception_withdraw(exception=exception, by=coordinator)
    services.certification_evaluate(user=volunteer, track=track)
    request = CertificationRequest.objects.get(user=volunteer, track=track)
    services.request_decide(
        certification_request=request, by=coordinator, approve=True, note="Well prepared."
    )
    return volunteer, track, cohort


def test_the_history_tells_everything_in_words(client, coordinator, story):
    volunteer, track, _cohort = story
    certificate = volunteer.certificates.get()
    PoolMemberFactory(user=volunteer)
    services.certificate_revoke(certificate=certificate, by=coordinator,
                                reason="Broke confidentiality.", notify=False)  # fmt: skip
    login_with_mfa(client, coordinator)
    url = reverse("certificates:track_person", args=[track.slug, volunteer.pk])
    response = client.get(url)
    assert response.status_code == 200
    history = response.content.decode().split('id="history"')[1]
    for words in [
        "“First contact role-play” signed off in Autumn cohort",
        "“Listening without judgement” in Autumn cohort: Present",
        "Caught up from the recording of “Documenting abuse” in Autumn cohort",
        "Signed “Code of conduct”, version 1, in Spanish",
        "Exception granted for “Attend at least 50% of live sessions”",
        "Attended the partner&#x27;s training.",
        "Exception withdrawn for “Attend at least 50% of live sessions”",
        "Approved by a coordinator",
        "Well prepared.",
        "Certificate issued, valid until",
        "Certificate revoked",
        "Broke confidentiality.",
        "Removed from the responder pool: the certificate was revoked",
    ]:
        assert words in history, words
    # Never a code, never an address; one line per exception step (not twice).
    assert 'private-note">revoked<' not in history
    assert history.count("Exception granted for") == 1
    assert history.count("Exception withdrawn for") == 1
    assert volunteer.email not in history and "trainer@example.org" not in history
    # The coordinator's own zone, named.
    assert "(UTC)" in history


def test_the_by_column_names_whoever_acted_on_every_row_that_has_someone(
    client, coordinator, story
):
    volunteer, track, _cohort = story
    by = {e.what: e.by for e in timeline(volunteer, track)}
    assert by["“First contact role-play” signed off in Autumn cohort"] == "Trainer T"
    assert by["Caught up from the recording of “Documenting abuse” in Autumn cohort"] == "Ana G."
    assert by["Signed “Code of conduct”, version 1, in Spanish"] == "Ana G."
    assert by["Approved by a coordinator"] == coordinator.display_name
    # The trainer's name is said once, in the "By" column, not in the sentence too.
    login_with_mfa(client, coordinator)
    url = reverse("certificates:track_person", args=[track.slug, volunteer.pk])
    history = client.get(url).content.decode().split('id="history"')[1]
    row = history[: history.index("signed off in Autumn cohort")]
    row = history[row.rindex("<tr>") : history.index("</tr>", len(row))]
    assert row.count("Trainer T") == 1 and row.rstrip().endswith("<td>Trainer T</td>"), row


def test_the_history_is_newest_first_in_the_viewers_zone(coordinator, story):
    volunteer, track, _cohort = story
    entries = timeline(volunteer, track)
    moments = [e.at for e in entries]
    assert moments == sorted(moments, reverse=True)
    kinds = {e.kind for e in entries}
    assert kinds == {"Skill", "Live session", "Agreement", "Exception", "Certification"}


def test_withdrawn_with_an_account_and_reminders_are_said_in_words(coordinator, story):
    volunteer, track, _cohort = story
    certificate = volunteer.certificates.get()
    CertificationEvent.objects.create(user=volunteer, track=track, certificate=certificate,
                                      kind=CertificationEvent.Kind.REMINDED, note="30")  # fmt: skip
    CertificationEvent.objects.create(user=volunteer, track=track, certificate=certificate,
                                      kind=CertificationEvent.Kind.REVOKED,
                                      note=ACCOUNT_DELETED)  # fmt: skip
    words = [(e.what, e.note) for e in timeline(volunteer, track)]
    assert ("Reminded of the renewal, 30 days before the certificate expires", "") in words
    assert ("Certificate withdrawn: the holder deleted their account", "") in words
    assert all(ACCOUNT_DELETED not in note for _what, note in words)


def test_a_sign_off_the_person_gave_themselves_is_marked_as_not_counting(story):
    volunteer, track, cohort = story
    skill = TrackSkill.objects.create(track=track, name="Debriefing")
    SkillSignOff.objects.create(skill=skill, user=volunteer, cohort=cohort, signed_by=volunteer)
    entry = next(e for e in timeline(volunteer, track) if "Debriefing" in e.what)
    assert entry.note == "Signed off by themselves: it does not count."


def test_other_tracks_and_other_people_stay_out(story, trainer):
    volunteer, track, cohort = story
    other_track = make_track()
    elsewhere = make_cohort(other_track, trainer=trainer, title="Elsewhere cohort")
    join(elsewhere, volunteer)
    mark(make_session(elsewhere, title="Another track's session"), volunteer)
    someone = person()
    join(cohort, someone)
    mark(make_session(cohort, title="Only for someone"), someone)
    text = " ".join(e.what for e in timeline(volunteer, track))
    assert "Another track's session" not in text and "Only for someone" not in text


def test_the_person_page_takes_as_many_queries_for_a_long_history_as_for_a_short_one(
    client, coordinator, trainer, story
):
    volunteer, track, cohort = story
    login_with_mfa(client, coordinator)
    url = reverse("certificates:track_person", args=[track.slug, volunteer.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200

    course_requirement = add_requirement(track, Kind.AGREEMENT, agreement=make_agreement(),
                                         path=Requirement.Path.RENEWAL)  # fmt: skip
    for number in range(30):
        session = make_session(cohort, days_ago=40 + number, title=f"Session {number}")
        mark(session, volunteer, Attendance.Status.ABSENT if number % 2 else "present")
        skill = TrackSkill.objects.create(track=track, name=f"Skill {number}")
        SkillSignOff.objects.create(skill=skill, user=volunteer, cohort=cohort, signed_by=trainer,
                                    signed_at=timezone.now() - timedelta(days=number))  # fmt: skip
        CertificationEvent.objects.create(user=volunteer, track=track, actor=coordinator,
                                          kind=CertificationEvent.Kind.PDF_DOWNLOADED)  # fmt: skip
        services.exception_grant(user=volunteer, requirement=course_requirement,
                                 reason=f"Reason {number}", by=coordinator)  # fmt: skip
        services.exception_withdraw(exception=volunteer_exception(volunteer, course_requirement),
                                    by=coordinator)  # fmt: skip
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert "Session 29" in page and "Skill 29" in page and "Reason 29" in page
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def volunteer_exception(volunteer, requirement):
    return requirement.exceptions.get(user=volunteer, withdrawn_at__isnull=True)
