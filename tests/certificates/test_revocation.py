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
        services.certificate_revoke(
            certificate=certificate, by=coordinator, reason="Not said in the email"
        )
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


def _person_page(client, certificate):
    url = reverse("certificates:track_person", args=[certificate.track.slug, certificate.user_id])
    return client.get(url).content.decode()


@pytest.mark.parametrize("other_grants_pool", [True, False], ids=["pool-track", "other-track"])
def test_someone_kept_in_the_pool_by_another_certificate_is_not_told_they_leave_it(
    client, coordinator, other_grants_pool, django_capture_on_commit_callbacks
):
    """Revoking one certificate takes a person out of the pool only when no other valid
    certificate that grants the pool keeps them in it: the page says what will really happen —
    whether the revoked certificate is a second one granting the pool, or one of a track that
    does not grant it at all."""
    member = pool_person(pool_track(), name="Kalani")  # certified on a track granting the pool
    certificate = certify(member.user, pool_track(grants_pool=other_grants_pool))
    login_with_mfa(client, coordinator)

    person_page = _person_page(client, certificate)
    assert "leaves the responder pool" not in person_page
    assert "The person stays in the responder pool: another valid certificate keeps them" in (
        person_page
    )
    html = client.post(_url(certificate), {"reason": "Recorded twice"}).content.decode()
    assert "Revoke this certificate?" in html and "Kalani" in html
    assert "leaves the responder pool" not in html
    assert "Kalani stays in the responder pool: another valid certificate keeps them in it" in html

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url(certificate), {"reason": "Recorded twice", "confirm": "yes"}, follow=True
        )
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None
    assert PoolMember.objects.get(pk=member.pk).status == PoolMember.Status.ACTIVE
    shown = [str(message) for message in response.context["messages"]]
    assert shown == ["Certificate revoked."]


def test_the_person_page_says_who_leaves_the_pool_when_the_certificate_is_revoked(
    client, coordinator, holder
):
    certificate = Certificate.objects.get(user=holder.user)
    login_with_mfa(client, coordinator)
    page = _person_page(client, certificate)
    assert "(without the reason), and the person leaves the responder pool." in page
    # Outside the pool, the revocation says nothing about it.
    outside = certify(UserFactory(display_name="Noor"), pool_track(grants_pool=False))
    page = _person_page(client, outside)
    assert "responder pool" not in page.split("Revoke this certificate")[1].split("</details>")[0]
