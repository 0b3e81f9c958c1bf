"""The certificate's PDF: what it says, in the holder's language, and that a name is only ever
text (WeasyPrint fetches nothing but the bundled assets)."""

import io
from datetime import date

import pypdf
import pytest
from django.utils import formats, translation

from certificates import pdf, services, tasks
from certificates.models import Certificate

from .factories import make_certificate, make_track

pytestmark = pytest.mark.django_db

HOSTILE_NAME = ('Ana <img src="file:///etc/passwd"> '
                '<link rel=stylesheet href="http://example.org/x.css">')  # fmt: skip


def text_of(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    """Line breaks and spaces made single spaces (a long line may wrap anywhere)."""
    return " ".join(text.split())


def day(value: date, language: str) -> str:
    with translation.override(language):
        return formats.date_format(value, "DATE_FORMAT")


class SpyFetcher(pdf.AssetsOnlyFetcher):
    """Records every address WeasyPrint asks for, allowed or not."""

    def __init__(self):
        super().__init__()
        self.asked: list[str] = []

    def fetch(self, url, headers=None):
        self.asked.append(url)
        return super().fetch(url, headers)


def test_the_pdf_shows_the_name_track_dates_issuer_and_code(volunteer):
    track = make_track(title="Peer supporter — harassment response",
                       organisation="Red de Acompañantes")  # fmt: skip
    certificate = make_certificate(volunteer, track, name_on_certificate="Ñusta Quispe-Mamani",
                                   valid_from=date(2026, 3, 5),
                                   expires_on=date(2028, 3, 5))  # fmt: skip
    fetcher = SpyFetcher()
    text = flat(text_of(pdf.render(pdf.context_for(certificate), fetcher)))
    assert "Ñusta Quispe-Mamani" in text
    assert "Peer supporter — harassment response" in text
    assert "Issued on 5 March 2026 · valid until 5 March 2028" in text
    assert "RED DE ACOMPAÑANTES" in text  # printed in capitals by the stylesheet
    assert certificate.code in text.replace(" ", "")
    assert f"testserver/verify/{certificate.code}/" in text.replace(" ", "")
    # The stylesheet came from the bundled assets; nothing was refused.
    assert any(url.endswith("/pdf_assets/certificate.css") for url in fetcher.asked)
    assert fetcher.refused == []


def test_a_name_with_html_is_printed_as_text_and_fetches_nothing(volunteer):
    certificate = make_certificate(volunteer, make_track(), name_on_certificate=HOSTILE_NAME)
    fetcher = SpyFetcher()
    text = flat(text_of(pdf.render(pdf.context_for(certificate), fetcher)))
    assert '<img src="file:///etc/passwd">' in text
    assert '<link rel=stylesheet href="http://example.org/x.css">' in text
    assert fetcher.refused == []
    assert not [url for url in fetcher.asked if "passwd" in url or "example.org" in url]
    assert "root:x:0:0" not in text


def test_the_render_task_prints_a_hostile_name_as_text(volunteer):
    volunteer.display_name = '<img src="file:///etc/passwd">'  # display names are short
    volunteer.save()
    certificate, _created = services.certificate_issue(user=volunteer, track=make_track(), period=1)
    assert tasks.render_certificate(certificate.pk) == "rendered"
    certificate.refresh_from_db()
    with certificate.pdf.open("rb") as stored:
        text = flat(text_of(stored.read()))
    assert '<img src="file:///etc/passwd">' in text


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://example.org/x.css",
        "https://example.org/font.woff2",
        "data:text/css,body{}",
        "ftp://example.org/x",
        pdf.ASSETS.as_uri() + "/../pdf.py",
        pdf.ASSETS.as_uri() + "/%2e%2e/models.py",
        pdf.ASSETS.as_uri() + "/missing.css",
        pdf.ASSETS.as_uri(),  # the folder itself is not a file
    ],
)
def test_the_fetcher_refuses_anything_outside_the_assets(url):
    fetcher = pdf.AssetsOnlyFetcher()
    with pytest.raises(pdf.AssetFetchRefused):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_the_fetcher_serves_the_bundled_stylesheet():
    fetcher = pdf.AssetsOnlyFetcher()
    fetcher.fetch((pdf.ASSETS / "certificate.css").as_uri())
    assert fetcher.refused == []


def test_the_pdf_is_in_the_holders_language(volunteer):
    """The words come from the Spanish catalogue (compiled by `make translations`) and the dates
    follow Spanish formats, whatever language the request that issued it was in."""
    volunteer.preferred_language = "es"
    volunteer.save()
    certificate, _created = services.certificate_issue(user=volunteer, track=make_track(), period=1)
    assert certificate.language == "es"
    text = flat(text_of(pdf.render(pdf.context_for(certificate))))
    assert "Certificado" in text
    assert "Se certifica que" in text
    assert "Código:" in text
    assert "This certifies that" not in text and "Code:" not in text
    issued, expires = day(certificate.valid_from, "es"), day(certificate.expires_on, "es")
    assert " de " in issued  # e.g. "5 de marzo de 2026"
    assert issued in text and expires in text
    assert day(certificate.valid_from, "en") not in text
    # An English certificate stays English even when rendered during a Spanish request.
    english = make_certificate(volunteer, make_track(), language="en")
    with translation.override("es"):
        text = flat(text_of(pdf.render(pdf.context_for(english))))
    assert "This certifies that" in text and "Code:" in text
    assert "Certificado" not in text and "Código" not in text


def test_the_fingerprint_changes_with_what_the_pdf_shows(volunteer):
    certificate = make_certificate(volunteer, make_track())
    before = pdf.fingerprint(pdf.context_for(certificate))
    assert pdf.fingerprint(pdf.context_for(certificate)) == before
    certificate.name_on_certificate = "Someone else"
    assert pdf.fingerprint(pdf.context_for(certificate)) != before
    certificate.refresh_from_db()
    certificate.language = "es"
    assert pdf.fingerprint(pdf.context_for(certificate)) != before
    assert Certificate.objects.get().pdf_status == Certificate.Pdf.PENDING
