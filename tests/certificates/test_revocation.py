"""Revoking a certificate: a confirmation step that says what will happen and to whom (it works
without JavaScript: two plain forms), and an email that does not ask to "reply" to an address
nobody reads."""

import pytest
from django.core import mail
from django.urls import reverse

from certificates import services
from certificates.models import Certificate, PoolMember
from tests.conftest import login_with_mfa
from training.factories import UserFactory

from .pool_factories import certify, pool_person, pool_track

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder():
    track = pool_track()
    member = pool_person(track, name="Valentina", email="valentina@example.org")
    return member


def _url(certificate):
    return reverse("certificates:revoke", args=[certificate.track.slug, certificate.user_id,
                                                certificate.code])  # fmt: skip


def test_revoking_asks_for_confirmation_naming_the_person_and_what_follows(
    client, coordinator, holder, django_capture_on_commit_callbacks
):
    certificate = Certificate.objects.get(user=holder.user)
    login_with_mfa(client, coordinator)
    person_page = client.get(reverse("certificates:track_person",
                                     args=[certificate.track.slug, holder.user_id]))  # fmt: skip
    assert "The next page asks you to confirm." in person_page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(certificate), {"reason": "Shared a caller's story"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Revoke this certificate?" in html
    assert "Valentina" in html and certificate.code in html
    assert "leaves the responder pool" in html and "receives an email" in html
    # The reason comes back to be confirmed (or corrected), with a plain form: no JavaScript.
    assert "Shared a caller&#x27;s story</textarea>" in html
    assert 'name="confirm" value="yes"' in html
    # Nothing happened yet.
    certificate.refresh_from_db()
    assert certificate.revoked_at is None
    assert PoolMember.objects.get(pk=holder.pk).status == PoolMember.Status.ACTIVE
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(certificate),
                               {"reason": "Shared a caller's story", "confirm": "yes"})  # fmt: skip
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None and certificate.revoked_by == coordinator
    assert certificate.revoked_reason == "Shared a caller's story"
    assert PoolMember.objects.get(pk=holder.pk).status == PoolMember.Status.REMOVED
    assert [message.to for message in mail.outbox] == [["valentina@example.org"]]


def test_someone_outside_the_pool_is_not_told_they_leave_it(client, coordinator):
    track = pool_track(grants_pool=False)
    person = UserFactory(display_name="Noor")
    certificate = certify(person, track)
    login_with_mfa(client, coordinator)
    html = client.post(_url(certificate), {"reason": "Error in the records"}).content.decode()
    assert "Revoke this certificate?" in html and "Noor" in html
    assert "leaves the responder pool" not in html


def test_an_empty_reason_is_asked_for_before_any_confirmation(client, coordinator, holder):
    certificate = Certificate.objects.get(user=holder.user)
    login_with_mfa(client, coordinator)
    response = client.post(_url(certificate), {"reason": " ", "confirm": "yes"})
    assert response.status_code == 400
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


def _revoke(certificate, coordinator, capture):
    with capture(execute=True):
        services.certificate_revoke(certificate, by=coordinator, reason="Not said in the email")
    assert len(mail.outbox) == 1
    return mail.outbox[0].body


def test_the_email_gives_a_contact_instead_of_asking_for_a_reply(
    settings, coordinator, holder, django_capture_on_commit_callbacks
):
    settings.ACOMPANA_PRIVACY_CONTACT = "coordinators@helpline.example.org"
    certificate = Certificate.objects.get(user=holder.user)
    body = _revoke(certificate, coordinator, django_capture_on_commit_callbacks)
    assert "reply to" not in body.lower()
    assert "does not receive replies" in body
    assert "write to coordinators@helpline.example.org" in body
    assert "You are no longer in the responder pool." in body  # true: they were in it
    assert "Not said in the email" not in body
    assert reverse("certificates:mine") in body


def test_without_a_contact_the_email_points_to_people_who_exist(
    settings, coordinator, django_capture_on_commit_callbacks
):
    settings.ACOMPANA_PRIVACY_CONTACT = ""
    person = UserFactory(display_name="Noor", email="noor@example.org")
    certificate = certify(person, pool_track(grants_pool=False))
    body = _revoke(certificate, coordinator, django_capture_on_commit_callbacks)
    assert "reply to" not in body.lower() and "does not receive replies" in body
    assert "ask the trainers of your cohort" in body
    # Never in the pool: the email does not say they left it.
    assert "responder pool" not in body
