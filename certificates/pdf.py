"""Certificates as PDF, rendered by WeasyPrint.

WeasyPrint fetches nothing but the platform's own bundled assets (`pdf_assets/`): a network
address, a `file://` path elsewhere or any other scheme is refused by `AssetsOnlyFetcher`, so a
name like `<img src="file:///etc/passwd">` could fetch nothing even if it were not escaped (it
is: the template prints every value as text).
"""

import hashlib
from pathlib import Path
from urllib.request import url2pathname

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from weasyprint import HTML
from weasyprint.urls import URLFetcher

ASSETS = (Path(__file__).resolve().parent / "pdf_assets").resolve()
# The look of every PDF: raise it when the template, the stylesheet or the fonts change so that
# PDFs made before are prepared again (each when its holder next opens it: see
# services.certificate_refresh_layout). 2: Noto fonts for every script, the code's label in the
# text font.
LAYOUT = 2


class AssetFetchRefused(ValueError):
    pass


class AssetsOnlyFetcher(URLFetcher):
    """Serves files inside ASSETS; refuses everything else (and remembers what it refused)."""

    def __init__(self):
        super().__init__(allowed_protocols=["file"], allow_redirects=False)
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        path = None
        if url.startswith("file://"):
            path = Path(url2pathname(url.removeprefix("file://").split("?")[0])).resolve()
        if path is None or not path.is_relative_to(ASSETS) or not path.is_file():
            self.refused.append(url)
            raise AssetFetchRefused(f"refused: {url[:200]}")
        return super().fetch(path.as_uri(), headers)


def verify_url(code: str) -> str:
    return settings.ACOMPANA_PLATFORM_ORIGIN.rstrip("/") + reverse("verify", args=[code])


def qr_svg(url: str) -> str:
    return segno.make(url, error="m").svg_inline(scale=4, border=0, omitsize=True)


def context_for(certificate) -> dict:
    link = verify_url(certificate.code)
    with translation.override(certificate.language):  # the holder's language
        track_title = certificate.track.local_title
    return {
        "language": certificate.language,
        "issuer": certificate.track.issuer,
        "name": certificate.name_on_certificate,
        "track_title": track_title,
        "issued": certificate.valid_from,
        "expires": certificate.expires_on,
        "code": certificate.code,
        "short_link": link.split("://", 1)[-1],
        "link": link,
        "layout": LAYOUT,
    }


def fingerprint(context: dict) -> str:
    """What the PDF shows: the same fingerprint means the same PDF (rendering is skipped)."""
    fields = [str(context[key]) for key in sorted(context)]
    return hashlib.sha256("\x1f".join(fields).encode()).hexdigest()


def html_for(context: dict) -> str:
    """The certificate as HTML, in its language (right to left for Arabic and the like)."""
    # The QR code is made here from the verification link: no person's text goes into it.
    context = {**context, "qr_svg": mark_safe(qr_svg(context["link"]))}  # noqa: S308
    with translation.override(context["language"]):
        context["rtl"] = translation.get_language_bidi()
        return render_to_string("certificates/pdf/certificate.html", context)


def render(context: dict, fetcher: AssetsOnlyFetcher | None = None) -> bytes:
    html = html_for(context)
    document = HTML(string=html, base_url=ASSETS.as_uri() + "/",
                    url_fetcher=fetcher or AssetsOnlyFetcher())  # fmt: skip
    return document.write_pdf()
