"""Safeguards from the second security review (issue 13): a coordinator never decides on their
own certification, every page of the pool opened is recorded, PDF renders are rate-limited and
not queued twice for the same content, and a coordinator's download of a certificate is in the
person's history."""

import re
import types
from datetime import UTC, datetime, timedelta

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.urls import reverse
from django.utils import timezone, translation

from certificates import pdf, services, tasks
from certificates.models import (
    RENDER_CLAIM,
    Certificate,
    CertificationEvent,
    CertificationRequest,
    Requirement,
    RequirementException,
    Track,
)
from tests.audit import pool_entries, sent
from tests.conftest import login_with_mfa
from training import ratelimit
from training.errors import ServiceError
from training.factories import UserFactory
from training.roles import Role

from .factories import add_requirement, join, make_agreement, make_certificate, make_cohort, person
from .factories import make_track as _make_track
from .helpers import refused
from .pool_factories import pool_person, pool_track

pytestmark = pytest.mark.django_db
Kind = Requirement.Kind
Event = CertificationEvent.Kind
SELF_MESSAGE = "This is your own certification: another coordinator has to decide on it."


@pytest.fixture
def other_coordinator(db):
    return UserFactory(email="coord2@example.org", display_name="Coord Two",
                       roles=[Role.COORDINATOR])  # fmt: skip


def _track_with(coordinator, *, approval=Track.Approval.AUTOMATIC):
    """A track with two requirements the coordinator has not met, and the coordinator as a
    volunteer in one of its cohorts."""
    track = _make_track(approval=approval)
    add_requirement(track, Kind.AGREEMENT, agreement=make_agreement())
    add_requirement(track, Kind.ATTENDANCE, min_attendance=50)
    join(make_cohort(track), coordinator)
    return track


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- 1. Nobody decides on their own certification -----------------------------------------------
def test_a_coordinator_cannot_grant_themselves_exceptions_into_a_certificate(
    client, coordinator, django_capture_on_commit_callbacks
):
    track = _track_with(coordinator)
    login_with_mfa(client, coordinator)
    url = reverse("certificates:grant_exception", args=[track.slug, coordinator.pk])
    for requirement in track.requirements.all():
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {"requirement": requirement.pk, "reason": "Trust me"},
                                   follow=True)  # fmt: skip
        assert response.status_code == 200
        assert SELF_MESSAGE in _messages(response)
    assert not RequirementException.objects.exists()
    assert not Certificate.objects.filter(user=coordinator).exists()
    assert not CertificationEvent.objects.filter(user=coordinator, kind=Event.EXCEPTION).exists()


def test_the_services_refuse_a_coordinators_own_certification_whoever_calls_them(
    coordinator, other_coordinator
):
    track = _track_with(coordinator, approval=Track.Approval.COORDINATOR)
    requirement = track.requirements.first()
    with refused("self"):
        services.exception_grant(user=coordinator, requirement=requirement, reason="Mine",
                                 by=coordinator)  # fmt: skip
    with refused("self"):
        services.certificate_issue(user=coordinator, track=track, period=1, approved_by=coordinator)
    assert not RequirementException.objects.exists() and not Certificate.objects.exists()

    # Another coordinator may: their exceptions, then the coordinator's own attempts at the rest.
    for requirement in track.requirements.all():
        exception = services.exception_grant(
            user=coordinator, requirement=requirement, reason="Elsewhere", by=other_coordinator
        )
    with refused("self"):
        services.exception_withdraw(exception=exception, by=coordinator)
    exception.refresh_from_db()
    assert exception.withdrawn_at is None

    services.certification_evaluate(user=coordinator, track=track)
    request = CertificationRequest.objects.get(user=coordinator, track=track)
    for approve in (True, False):
        with refused("self"):
            services.request_decide(certification_request=request, by=coordinator, approve=approve)
    request.refresh_from_db()
    assert request.status == CertificationRequest.Status.PENDING
    assert not Certificate.objects.exists()

    certificate = services.request_decide(
        certification_request=request, by=other_coordinator, approve=True
    )
    assert certificate.user == coordinator and certificate.approved_by == other_coordinator
    with refused("self"):
        services.certificate_revoke(
            certificate=certificate, by=coordinator, reason="Undo my record"
        )
    certificate.refresh_from_db()
    assert certificate.revoked_at is None
    services.certificate_revoke(
        certificate=certificate, by=other_coordinator, reason="Broke confidentiality"
    )
    certificate.refresh_from_db()
    assert certificate.revoked_by == other_coordinator


def test_a_coordinator_cannot_approve_decline_revoke_or_withdraw_on_their_own_page(
    client, coordinator, other_coordinator
):
    track = _track_with(coordinator, approval=Track.Approval.COORDINATOR)
    first, second = track.requirements.all()
    services.exception_grant(user=coordinator, requirement=first, reason="Elsewhere",
                             by=other_coordinator)  # fmt: skip
    exception = services.exception_grant(user=coordinator, requirement=second, reason="Elsewhere",
                                         by=other_coordinator)  # fmt: skip
    services.certification_evaluate(user=coordinator, track=track)
    request = CertificationRequest.objects.get(user=coordinator, track=track)
    own_certificate = make_certificate(coordinator, _make_track())
    login_with_mfa(client, coordinator)
    client.raise_request_exception = False
    args = [track.slug, coordinator.pk]

    for decision in ("approve", "decline"):
        response = client.post(reverse("certificates:decide", args=[*args, request.pk]),
                               {"decision": decision}, follow=True)  # fmt: skip
        assert response.status_code == 200 and SELF_MESSAGE in _messages(response)
    response = client.post(reverse("certificates:decide", args=[*args, request.pk]),
                           {"decision": "approve", "next": "queue"})  # fmt: skip
    assert response.status_code == 302 and response["Location"] == reverse("certificates:queue")
    response = client.post(
        reverse("certificates:withdraw_exception", args=[*args, exception.pk]), follow=True
    )
    assert response.status_code == 200 and SELF_MESSAGE in _messages(response)
    request.refresh_from_db()
    exception.refresh_from_db()
    assert request.status == CertificationRequest.Status.PENDING
    assert exception.withdrawn_at is None
    assert not Certificate.objects.filter(track=track).exists()

    revoke_track = own_certificate.track
    join(make_cohort(revoke_track), coordinator)
    response = client.post(
        reverse("certificates:revoke", args=[revoke_track.slug, coordinator.pk,
                                             own_certificate.code]),
        {"reason": "Erase my record"}, follow=True,
    )  # fmt: skip
    assert response.status_code == 200 and SELF_MESSAGE in _messages(response)
    own_certificate.refresh_from_db()
    assert own_certificate.revoked_at is None

    # Another coordinator approves.
    login_with_mfa(client, other_coordinator)
    client.post(reverse("certificates:decide", args=[*args, request.pk]), {"decision": "approve"})
    request.refresh_from_db()
    assert request.status == CertificationRequest.Status.APPROVED
    assert Certificate.objects.get(user=coordinator, track=track).approved_by == other_coordinator


def test_a_coordinators_own_page_shows_the_history_but_no_actions(
    client, coordinator, other_coordinator
):
    track = _track_with(coordinator, approval=Track.Approval.COORDINATOR)
    first, _second = track.requirements.all()  # the second stays unmet: an exception is possible
    exception = services.exception_grant(
        user=coordinator, requirement=first, reason="Trained elsewhere", by=other_coordinator
    )
    request = CertificationRequest.objects.create(user=coordinator, track=track, period=1)
    certified_on = _make_track()
    certificate = make_certificate(coordinator, certified_on)
    args = [track.slug, coordinator.pk]
    actions = {
        reverse("certificates:track_person", args=args): [
            reverse("certificates:decide", args=[*args, request.pk]),
            reverse("certificates:withdraw_exception", args=[*args, exception.pk]),
            reverse("certificates:grant_exception", args=args),
        ],
        reverse("certificates:track_person", args=[certified_on.slug, coordinator.pk]): [
            reverse("certificates:revoke", args=[certified_on.slug, coordinator.pk,
                                                 certificate.code]),
        ],
    }  # fmt: skip

    login_with_mfa(client, other_coordinator)
    for url, forms in actions.items():
        page = client.get(url).content.decode()
        assert all(f'action="{form}"' in page for form in forms), url

    login_with_mfa(client, coordinator)
    for url, forms in actions.items():
        response = client.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        assert [form for form in forms if f'action="{form}"' in page] == [], url
        assert "This is your own certification." in page
    page = client.get(reverse("certificates:track_person", args=args)).content.decode()
    assert "Exception granted" in page and "Trained elsewhere" in page  # the history stays

    queue = client.get(reverse("certificates:queue")).content.decode()
    assert "Coord" in queue
    assert reverse("certificates:decide", args=[*args, request.pk]) not in queue
    assert "another coordinator decides on it" in queue


# --- 2. Every page of the pool opened is recorded -----------------------------------------------
def test_each_pool_page_opened_is_recorded_with_its_filters_page_and_rows(client, coordinator):
    track = pool_track()
    for number in range(53):
        pool_person(track, name=f"Person {number:02d}", languages=(("es", "native"),),
                    share_email=True, share_phone=True, share_other=True)  # fmt: skip
    pool_person(track, name="English only", languages=(("en", "native"),))
    login_with_mfa(client, coordinator)
    url = reverse("certificates:pool_list")

    assert client.get(url).status_code == 200
    assert client.get(url, {"language": "es", "page": 2}).status_code == 200
    assert client.get(url, {"tz_from": 5, "tz_to": 99}).status_code == 200  # a filter in error

    entries = list(pool_entries())
    assert [(e.action, e.actor, e.count, sent(e)) for e in entries] == [
        ("pool.viewed", coordinator, 50, 50),
        ("pool.viewed", coordinator, 3, 3),
        ("pool.viewed", coordinator, 0, 0),
    ]
    assert entries[0].detail["filters"] == {"page": 1}
    assert entries[1].detail["filters"] == {"language": "es", "page": 2}

    log = client.get(reverse("certificates:access_log")).content.decode()
    assert log.count('data-action="pool.viewed"') == 3
    # The filters by their form labels and shown values (certificates/pool.filter_items).
    assert 'data-filter="language"' in log and 'data-filter="page"' in log
    assert pool_entries().count() == 3  # reading the log is not an access to the pool


# --- 3. PDF renders: a few a minute, never twice for the same content ----------------------------
@pytest.fixture
def frozen_minute(monkeypatch):
    now = [datetime(2026, 3, 2, 10, 0, 5, tzinfo=UTC)]
    monkeypatch.setattr(ratelimit, "timezone", types.SimpleNamespace(now=lambda: now[0]))
    return now


@pytest.fixture
def queued(monkeypatch):
    """Renders sent to Celery (once committed), without running them."""
    sent = []
    monkeypatch.setattr(
        tasks.render_certificate, "delay_on_commit", lambda *args: sent.append(args)
    )
    return sent


def test_name_changes_and_retries_are_rate_limited_per_person(
    client, volunteer, settings, frozen_minute, queued, django_capture_on_commit_callbacks
):
    settings.ACOMPANA_CERTIFICATE_RENDER_RATE = 3
    volunteer.legal_name = "Valeria Legal"
    volunteer.save()
    certificate = make_certificate(volunteer, _make_track())
    client.force_login(volunteer)
    url = reverse("certificates:certificate", args=[certificate.code])
    retry = reverse("certificates:certificate_retry", args=[certificate.code])

    def render_failed():  # as the task leaves it
        Certificate.objects.filter(pk=certificate.pk).update(
            pdf_status=Certificate.Pdf.FAILED, pdf_queued_fingerprint="", pdf_queued_at=None
        )

    for choice in ("legal", "display"):
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(url, {"name_choice": choice}).status_code == 302
    render_failed()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(retry).status_code == 302
    assert len(queued) == 3

    render_failed()
    for response in (client.post(url, {"name_choice": "legal"}), client.post(retry)):
        assert response.status_code == 429 and response["Retry-After"] == "60"
        assert "Please wait a minute and try again." in response.content.decode()
    certificate.refresh_from_db()
    assert certificate.name_choice == "display"
    assert certificate.pdf_status == Certificate.Pdf.FAILED
    assert len(queued) == 3

    # Someone else has their own allowance; the next minute, the person has theirs again.
    other = make_certificate(person(), _make_track())
    client.force_login(other.user)
    assert client.post(reverse("certificates:certificate", args=[other.code]),
                       {"name_choice": "display"}).status_code == 302  # fmt: skip
    client.force_login(volunteer)
    frozen_minute[0] += timedelta(seconds=60)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(retry).status_code == 302
    assert len(queued) == 4


def test_a_render_queued_or_running_for_the_same_content_is_not_queued_again(
    client, volunteer, queued, django_capture_on_commit_callbacks
):
    certificate = make_certificate(volunteer, _make_track())
    Certificate.objects.filter(pk=certificate.pk).update(pdf_status=Certificate.Pdf.FAILED)
    client.force_login(volunteer)
    retry = reverse("certificates:certificate_retry", args=[certificate.code])
    for _click in range(3):  # a double click, another tab, the page reloaded
        with django_capture_on_commit_callbacks(execute=True):
            client.post(retry)
        Certificate.objects.filter(pk=certificate.pk).update(pdf_status=Certificate.Pdf.FAILED)
    assert len(queued) == 1
    ((_certificate_id, fingerprint),) = queued
    assert (
        services.certificate_pdf_queue(certificate_id=certificate.pk) is False
    )  # any other caller too

    # New content is a new render; once a render ends, its content may be queued again.
    volunteer.display_name = "Renamed"
    with django_capture_on_commit_callbacks(execute=True):
        volunteer.save()  # the certificate follows the profile's name
    assert len(queued) == 2 and queued[1][1] != fingerprint
    assert tasks.render_certificate(*queued[1]) == "rendered"
    certificate.refresh_from_db()
    assert certificate.pdf_status == Certificate.Pdf.READY
    assert (certificate.pdf_queued_fingerprint, certificate.pdf_queued_at) == ("", None)
    assert services.certificate_pdf_queue(certificate_id=certificate.pk) is True
    assert len(queued) == 3


def test_a_lost_render_can_be_asked_for_again(client, volunteer, queued):
    certificate = make_certificate(volunteer, _make_track())
    assert services.certificate_pdf_queue(certificate_id=certificate.pk) is True
    certificate.refresh_from_db()
    assert certificate.pdf_status == Certificate.Pdf.PENDING and not certificate.pdf_stalled
    client.force_login(volunteer)
    page = client.get(reverse("certificates:certificate", args=[certificate.code]))
    assert "Try again" not in page.content.decode()

    # The worker was killed: the claim grows old, and the holder may try again.
    Certificate.objects.filter(pk=certificate.pk).update(
        pdf_queued_at=timezone.now() - RENDER_CLAIM - timedelta(seconds=1)
    )
    page = client.get(reverse("certificates:certificate", args=[certificate.code]))
    assert "Try again" in page.content.decode()
    assert services.certificate_pdf_queue(certificate_id=certificate.pk) is True
    assert len(queued) == 2


def test_a_render_past_its_time_limit_fails_visibly_and_releases_its_claim(
    volunteer, monkeypatch, queued
):
    certificate = make_certificate(volunteer, _make_track())
    services.certificate_pdf_queue(certificate_id=certificate.pk)

    def too_slow(context):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(pdf, "render", too_slow)
    with pytest.raises(SoftTimeLimitExceeded):
        tasks.render_certificate(*queued[0])
    certificate.refresh_from_db()
    assert certificate.pdf_status == Certificate.Pdf.FAILED
    assert certificate.pdf_queued_fingerprint == ""
    assert CertificationEvent.objects.filter(certificate=certificate,
                                             kind=Event.PDF_FAILED).exists()  # fmt: skip


# --- 4. A coordinator's download of a certificate is in the person's history --------------------
def test_a_coordinators_pdf_download_is_recorded_in_the_persons_history(client, coordinator):
    holder = person(display_name="Holder")
    track = _make_track()
    certificate = make_certificate(holder, track)
    login_with_mfa(client, coordinator)
    url = reverse("certificates:person_pdf", args=[track.slug, holder.pk, certificate.code])
    assert client.get(url).status_code == 404  # no PDF yet: nothing downloaded, nothing recorded
    assert not CertificationEvent.objects.filter(kind=Event.PDF_DOWNLOADED).exists()

    tasks.render_certificate(certificate.pk)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    (event,) = CertificationEvent.objects.filter(kind=Event.PDF_DOWNLOADED)
    assert (event.user, event.track, event.certificate, event.actor) == (
        holder, track, certificate, coordinator,
    )  # fmt: skip
    history = client.get(reverse("certificates:track_person", args=[track.slug, holder.pk]))
    # The history is a table (when, about, what happened, by): the download is one row of it,
    # and its "By" cell names the coordinator.
    table = re.search(r'<table class="history">.*?</table>', history.content.decode(), re.S)
    rows = re.findall(r"<tr>(.*?)</tr>", table.group(0), re.S)
    (row,) = [row for row in rows if "Certificate PDF downloaded by a coordinator" in row]
    cells = [cell.strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
    assert cells[-1] == coordinator.display_name == "Coord"

    # The holder's own download is theirs: not recorded as a coordinator's.
    client.force_login(holder)
    own_pdf = reverse("certificates:certificate_pdf", args=[certificate.code])
    assert client.get(own_pdf).status_code == 200
    assert CertificationEvent.objects.filter(kind=Event.PDF_DOWNLOADED).count() == 1


# --- 5. A refusal says which it is, and why in the person's language ----------------------------
def test_a_refusal_is_a_service_error_with_a_code_and_a_translated_message():
    error = services.CertificationError.because("revoked")
    assert isinstance(error, ServiceError) and error.code == "revoked"
    with translation.override("es"):
        assert str(error) == "Este certificado ya está revocado."
    assert str(error) == "This certificate is already revoked."
