"""Certification in the reader's language: a track's title and description, agreements (the
version in the reader's language is what they sign) and the courses a checklist names come in
the reader's language where a coordinator (or an editor, for courses) gave one; otherwise the
original, marked as such."""

import io

import pypdf
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from wagtail.models import Locale
from wagtail_localize.models import LocaleSynchronization

from certificates import pdf, services
from certificates.models import AgreementSignature, AgreementText, Requirement, TrackText
from courses.factories import make_course
from tests.certificates.test_review import _edit_form
from tests.conftest import login_with_mfa
from tests.helpers import translate

from .factories import (
    add_requirement,
    join,
    make_agreement,
    make_certificate,
    make_cohort,
    make_track,
    person,
)

pytestmark = pytest.mark.django_db
Kind = Requirement.Kind


@pytest.fixture
def spanish_reader(volunteer, client, settings):
    settings.LANGUAGES = list(settings.ALL_LANGUAGES.items())
    volunteer.preferred_language = "es"
    volunteer.save(update_fields=["preferred_language"])
    client.force_login(volunteer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    return volunteer


@pytest.fixture
def track():
    track = make_track(title="Peer supporter", description="For volunteers.")
    TrackText.objects.create(track=track, language="es", title="Acompañante entre pares",
                             description="Para el voluntariado.")  # fmt: skip
    return track


def test_the_checklist_names_the_track_and_agreement_in_the_readers_language(
    client, spanish_reader, track
):
    agreement = make_agreement("conduct", title="Code of conduct")
    AgreementText.objects.create(
        agreement=agreement, version=1, language="es", title="Código de conducta",
        text="Creemos a la persona.",
    )  # fmt: skip
    add_requirement(track, Kind.AGREEMENT, agreement=agreement)
    join(make_cohort(track), spanish_reader)
    page = client.get(reverse("certificates:mine")).content.decode()
    assert "Acompañante entre pares" in page and "Para el voluntariado." in page
    assert "«Código de conducta»" in page
    assert "Peer supporter" not in page and "Code of conduct" not in page
    # Read in French (nothing given in French): the originals.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    spanish_reader.preferred_language = "fr"
    spanish_reader.save(update_fields=["preferred_language"])
    page = client.get(reverse("certificates:mine")).content.decode()
    assert "Peer supporter" in page and "Code of conduct" in page


def test_a_course_requirement_names_the_courses_translation(client, spanish_reader, track):
    course, _modules = make_course("harassment", modules=1, title="Responding to harassment")
    spanish = Locale.objects.get_or_create(language_code="es")[0]
    english = Locale.objects.get(language_code="en")
    LocaleSynchronization.objects.create(locale=spanish, sync_from=english)
    translate(course, spanish, title="Responder al acoso")
    add_requirement(track, Kind.COURSE, course=course)
    join(make_cohort(track), spanish_reader)
    page = client.get(reverse("certificates:mine")).content.decode()
    assert "«Responder al acoso»" in page and "Responding to harassment" not in page


def test_the_agreement_is_read_and_signed_in_the_readers_language(client, spanish_reader):
    agreement = make_agreement("conduct", title="Code of conduct", text="Believe the person.")
    version = agreement.current_version()
    AgreementText.objects.create(
        agreement=agreement, version=1, language="es", title="Código de conducta",
        text="Creemos a la persona.",
    )  # fmt: skip
    url = reverse("certificates:agreement", args=["conduct"])
    page = client.get(url).content.decode()
    assert "Código de conducta" in page and "Creemos a la persona." in page
    assert "Believe the person" not in page and "translation-notice" not in page
    client.post(url, {"version": version.pk, "agree": "yes", "language": "es"})
    signature = AgreementSignature.objects.get(user=spanish_reader)
    assert (signature.version, signature.language) == (version, "es")


def test_without_a_translation_the_original_is_signed_and_marked(client, spanish_reader):
    agreement = make_agreement("conduct", title="Code of conduct", text="Believe the person.")
    version = agreement.current_version()
    # A translation of an older version does not stand for the current one.
    AgreementText.objects.create(agreement=agreement, version=0, language="es",
                                 title="Código viejo", text="Otro texto.")  # fmt: skip
    url = reverse("certificates:agreement", args=["conduct"])
    page = client.get(url).content.decode()
    assert "Believe the person. (v1)" in page and "Otro texto" not in page
    assert "translation-notice" in page and 'lang="en"' in page
    assert "todavía" in page or "aún" in page  # the notice, in Spanish
    # A made-up language in the form is not recorded: the original's is.
    client.post(url, {"version": version.pk, "agree": "yes", "language": "xx"})
    assert AgreementSignature.objects.get(user=spanish_reader).language == "en"


def test_the_certificate_pdf_and_verification_name_the_track_in_their_language(
    client, spanish_reader, track
):
    certificate, _created = services.certificate_issue(user=spanish_reader, track=track, period=1)
    assert certificate.language == "es"
    content = pdf.render(pdf.context_for(certificate))
    text = " ".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages
    ).split()
    assert "Acompañante entre pares" in " ".join(text)
    # The verification page is in the visitor's language.
    client.logout()
    url = reverse("verify", args=[certificate.code])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Peer supporter" in client.get(url).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    assert "Acompañante entre pares" in client.get(url).content.decode()
    with translation.override("en"):
        assert track.local_title == "Peer supporter"


def test_a_coordinator_adds_the_spanish_text_in_the_admin_and_a_signed_one_stays(
    client, coordinator
):
    agreement = make_agreement("conduct", title="Code of conduct")
    login_with_mfa(client, coordinator)
    url = f"/admin/snippets/certificates/agreement/edit/{agreement.pk}/"
    data = _edit_form(client, url)
    assert data["texts-TOTAL_FORMS"] == "0"
    data.update({
        "texts-TOTAL_FORMS": "1", "texts-0-id": "", "texts-0-ORDER": "1", "texts-0-DELETE": "",
        "texts-0-version": "1", "texts-0-language": "es", "texts-0-title": "Código de conducta",
        "texts-0-text": "Creemos a la persona.",
    })  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    text = AgreementText.objects.get(agreement=agreement)
    assert (text.language, text.version, text.title) == ("es", 1, "Código de conducta")

    # Someone signs the Spanish text: it is the record of what they read, so it stays.
    AgreementSignature.objects.create(user=person(), version=agreement.current_version(),
                                      language="es")  # fmt: skip
    data = _edit_form(client, url)
    data["texts-0-DELETE"] = "1"
    client.raise_request_exception = False
    assert client.post(url, data).status_code in (200, 302)
    assert AgreementText.objects.filter(pk=text.pk).exists()
    data = _edit_form(client, url)
    data["texts-0-text"] = "Otro texto."
    client.post(url, data)
    text.refresh_from_db()
    assert text.text == "Creemos a la persona."


def test_an_arabic_certificate_is_laid_out_right_to_left(volunteer, track):
    certificate = make_certificate(volunteer, track, language="ar")
    html = pdf.html_for(pdf.context_for(certificate))
    assert '<html lang="ar" dir="rtl">' in html
    # The address and the code stay left to right inside the Arabic page.
    assert f'<div dir="ltr">{pdf.context_for(certificate)["short_link"]}</div>' in html
    assert f'<span class="code-value" dir="ltr">{certificate.code}</span>' in html
    text = " ".join(
        page.extract_text()
        for page in pypdf.PdfReader(io.BytesIO(pdf.render(pdf.context_for(certificate)))).pages
    )
    assert "الشهادة" in text or "ةداهشلا" in text  # extraction may reverse the letters
    english = make_certificate(volunteer, make_track(), language="en")
    assert 'dir="ltr"' in pdf.html_for(pdf.context_for(english)).split(">", 2)[1]
