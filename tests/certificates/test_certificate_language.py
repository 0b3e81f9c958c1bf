"""The holder changes the language their certificate is written in: only they may (anyone else
finds nothing: 404), the PDF is prepared again in that language (nothing left "being prepared"),
the change is in the audit log, a language not offered does not use up the holder's renders, and
the verification page shows the track's title in the certificate's language."""

import io
import types
from datetime import UTC, datetime

import pypdf
import pytest
from django.urls import reverse

from certificates.models import Certificate, TrackText
from training import ratelimit
from training.factories import UserFactory
from training.models import AuditEntry

from .factories import make_certificate, make_track

pytestmark = pytest.mark.django_db


def text_of(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture
def certificate(volunteer):
    track = make_track(title="Peer supporter")
    TrackText.objects.create(track=track, language="es", title="Acompañante entre pares")
    certificate = make_certificate(volunteer, track, language="en")
    Certificate.objects.filter(pk=certificate.pk).update(pdf_status=Certificate.Pdf.READY)
    return certificate


def language_url(certificate):
    return reverse("certificates:certificate_language", args=[certificate.code])


def test_the_certificate_page_offers_the_platforms_languages(client, volunteer, certificate):
    client.force_login(volunteer)
    response = client.get(reverse("certificates:certificate", args=[certificate.code]))
    body = response.content.decode()
    assert f'action="{language_url(certificate)}"' in body
    assert '<option value="es"' in body and '<option value="ar"' in body
    assert '<option value="en" selected>' in body


def test_the_holder_changes_the_language_and_gets_a_pdf_in_it(
    client, volunteer, certificate, django_capture_on_commit_callbacks
):
    client.force_login(volunteer)
    with django_capture_on_commit_callbacks(execute=True):  # the render runs (eager Celery)
        response = client.post(language_url(certificate), {"language": "es"})
    assert response.status_code == 302
    assert response["Location"] == reverse("certificates:certificate", args=[certificate.code])
    certificate.refresh_from_db()
    assert certificate.language == "es"
    assert certificate.pdf_status == Certificate.Pdf.READY  # not stuck "being prepared"
    with certificate.pdf.open("rb") as stored:
        text = text_of(stored.read())
    assert "Certificado" in text and "Se certifica que" in text
    assert "Acompañante entre pares" in text
    assert "This certifies that" not in text and "Peer supporter" not in text
    entry = AuditEntry.objects.get(action="certificate.language_changed")
    assert (entry.actor_id, entry.subject_id) == (volunteer.pk, volunteer.pk)
    assert entry.detail == {"track": certificate.track_id, "certificate": certificate.pk,
                            "language": "es"}  # fmt: skip


def test_choosing_the_same_language_changes_and_records_nothing(client, volunteer, certificate):
    client.force_login(volunteer)
    assert client.post(language_url(certificate), {"language": "en"}).status_code == 302
    certificate.refresh_from_db()
    assert certificate.pdf_status == Certificate.Pdf.READY
    assert not AuditEntry.objects.filter(action="certificate.language_changed").exists()


def test_a_language_the_platform_does_not_offer_is_refused(client, volunteer, certificate):
    client.force_login(volunteer)
    assert client.post(language_url(certificate), {"language": "xx"}).status_code == 302
    certificate.refresh_from_db()
    assert certificate.language == "en"
    assert certificate.pdf_status == Certificate.Pdf.READY


@pytest.fixture
def one_render_a_minute(settings, monkeypatch):
    """The render allowance is one a minute, and the test stays inside that minute."""
    settings.ACOMPANA_CERTIFICATE_RENDER_RATE = 1
    moment = datetime(2026, 3, 2, 10, 0, 5, tzinfo=UTC)
    monkeypatch.setattr(ratelimit, "timezone", types.SimpleNamespace(now=lambda: moment))


@pytest.mark.usefixtures("one_render_a_minute")
def test_a_refused_language_does_not_use_up_the_renders(client, volunteer, certificate):
    """A language that is not offered prepares nothing, so it does not count against the
    holder's renders: their next real change goes through."""
    client.force_login(volunteer)
    for refused in ("xx", "", "<script>", "e" * 300):
        response = client.post(language_url(certificate), {"language": refused}, follow=True)
        assert "Choose one of the languages in the list." in response.content.decode(), refused
    client.post(language_url(certificate), {"language": "en"})  # the same language: nothing
    assert client.post(language_url(certificate), {"language": "es"}).status_code == 302
    certificate.refresh_from_db()
    assert certificate.language == "es"
    # The allowance is used now: the next change waits.
    response = client.post(language_url(certificate), {"language": "fr"})
    assert response.status_code == 429 and response["Retry-After"] == "60"
    certificate.refresh_from_db()
    assert certificate.language == "es"


@pytest.mark.usefixtures("one_render_a_minute")
def test_a_name_form_with_errors_does_not_use_up_the_renders(client, volunteer, certificate):
    client.force_login(volunteer)
    url = reverse("certificates:certificate", args=[certificate.code])
    for refused in ("xx", ""):
        assert client.post(url, {"name_choice": refused}).status_code == 200  # the errors
    assert client.post(language_url(certificate), {"language": "es"}).status_code == 302
    certificate.refresh_from_db()
    assert certificate.language == "es"


def test_only_the_holder_may_change_it(client, certificate):
    """Anyone else gets 404, as on the certificate's page and PDF: nothing tells them the code
    exists."""
    someone = UserFactory()
    client.force_login(someone)
    assert client.post(language_url(certificate), {"language": "es"}).status_code == 404
    assert client.post(language_url(certificate), {"language": "xx"}).status_code == 404
    for page in ("certificates:certificate", "certificates:certificate_pdf"):
        assert client.get(reverse(page, args=[certificate.code])).status_code == 404, page
    certificate.refresh_from_db()
    assert certificate.language == "en"
    assert not AuditEntry.objects.filter(action="certificate.language_changed").exists()
    client.logout()
    response = client.post(language_url(certificate), {"language": "es"})
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(certificate.user)
    assert client.get(language_url(certificate)).status_code == 405  # a POST only


def test_the_verification_page_shows_the_title_in_the_certificates_language(client, certificate):
    """As printed (the certificate's language), then in the visitor's when that differs."""
    url = reverse("verify", args=[certificate.code])
    body = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<span lang="en" dir="auto">Peer supporter</span></dd>' in body
    assert "Acompañante entre pares" not in body
    Certificate.objects.filter(pk=certificate.pk).update(language="es")
    body = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    printed = '<span lang="es" dir="auto">Acompañante entre pares</span>'
    assert printed + '<br><span class="muted">In your language: Peer supporter</span>' in body
    body = client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert printed + "</dd>" in body and "Peer supporter" not in body
