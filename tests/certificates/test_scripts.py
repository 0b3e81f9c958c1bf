"""Every name prints, whatever its script: certificates rendered by the project's own PDF code
(certificates/pdf.py) with holders' names in Latin, Arabic, Urdu, Devanagari, Bengali, Tamil,
Thai, Chinese, Korean, Japanese, Ethiopic and with an emoji carry every glyph.

Four proofs, each of which fails when only DejaVu is installed (see test_dejavu_alone_fails):
- no character is drawn with glyph 0 (`.notdef`, the empty box) in any font of the PDF: the
  PDF's fonts are Identity-H CID fonts (WeasyPrint), whose codes are glyph ids;
- the expected Noto family is embedded for the script (`pdffonts`), and the text comes back out
  (`pdftotext`, through the fonts' ToUnicode maps);
- the rendered page (`pdftoppm`) shows the sunflower in colour, not a grey box, and the emoji
  font draws nothing but the emoji;
- WeasyPrint logs no ".notdef glyph rendered" warning.

The fonts come from Debian's fonts-noto-core, fonts-noto-cjk and fonts-noto-color-emoji. On a
machine without them the test skips and says so; in CI it fails.

The certificates are rendered from their content (what `pdf.context_for` makes of a certificate,
tests/certificates/test_pdf.py): no database, so this file runs in seconds on its own.
"""

import datetime
import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest
from django.utils import translation
from fontTools.ttLib import TTFont
from PIL import Image
from pypdf.generic import ContentStream

from certificates import pdf
from certificates.models import new_verification_code
from tests.conftest import skip_or_fail

# name, the font family that must draw it (as embedded: spaces become dashes), certificate language
NAMES = [
    ("Ñusta Quispe-Mamani", "Noto-Serif", "es"),
    ("प्रिया शर्मा", "Noto-Serif-Devanagari", "en"),
    ("فاطمة الزهراء", "Noto-Naskh-Arabic", "ar"),
    ("ہما خان", "Noto-Naskh-Arabic", "en"),  # Urdu on an English certificate: U+06C1
    ("অনন্যা দাস", "Noto-Serif-Bengali", "en"),
    ("தமிழ்செல்வி", "Noto-Serif-Tamil", "en"),
    ("สมหญิง ใจดี", "Noto-Serif-Thai", "en"),
    ("王秀英", "Noto-Serif-CJK", "en"),
    ("김지은", "Noto-Serif-CJK", "en"),
    ("山田花子", "Noto-Serif-CJK", "en"),
    ("ሰላም ታደሰ", "Noto-Serif-Ethiopic", "en"),
    ("Ana 🌻", "Noto-Color-Emoji", "es"),
]
FAMILIES = ["Noto Serif", "Noto Sans Devanagari", "Noto Naskh Arabic", "Noto Nastaliq Urdu",
            "Noto Serif Bengali", "Noto Sans Tamil", "Noto Sans Thai", "Noto Sans CJK",
            "Noto Serif CJK", "Noto Sans Ethiopic", "Noto Color Emoji"]  # fmt: skip


def sample_context(name: str, language: str) -> dict:
    """A certificate's content as `pdf.context_for` gives it to `pdf.render`."""
    code = new_verification_code()
    return {"language": language, "issuer": "Red de Acompañamiento", "name": name,
            "track_title": "Acompañamiento", "issued": datetime.date(2026, 3, 5),
            "expires": datetime.date(2028, 3, 5), "code": code,
            "short_link": f"example.org/verify/{code}/",
            "link": f"https://example.org/verify/{code}/"}  # fmt: skip


def installed_families() -> str:
    try:
        return subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True,
                              check=True).stdout  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return ""


@pytest.fixture(scope="module")
def _noto_fonts():
    families = installed_families()
    missing = [family for family in FAMILIES if family not in families]
    if missing:
        skip_or_fail(
            "Certificates need the Noto fonts to print every script; missing: "
            + ", ".join(missing)
            + ". Install Debian's fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji."
        )
    for tool in ("pdffonts", "pdftotext", "pdftoppm"):
        if subprocess.run(["which", tool], capture_output=True).returncode:
            skip_or_fail(f"{tool} is missing (Debian's poppler-utils)")


def glyph_count(font) -> tuple[int, bool]:
    """How many glyphs the font embedded for `font` (a Type0 font) has, and whether its codes
    are glyph ids (CIDToGIDMap /Identity, as WeasyPrint writes it)."""
    descendant = font["/DescendantFonts"][0].get_object()
    descriptor = descendant["/FontDescriptor"].get_object()
    embedded = descriptor.get("/FontFile2") or descriptor.get("/FontFile3")
    assert embedded is not None, f"{font['/BaseFont']} is not embedded"
    data = embedded.get_object().get_data()
    return TTFont(io.BytesIO(data))["maxp"].numGlyphs, descendant.get("/CIDToGIDMap") == "/Identity"


def glyphs_drawn(content: bytes) -> dict[str, list[int]]:
    """The glyph ids the PDF's pages draw, by font (its name without the subset prefix); a glyph
    the font does not have (glyph 0, `.notdef`, or an id beyond the embedded glyphs: Pango's
    "unknown glyph") is drawn as an empty box and listed as -1."""
    reader = pypdf.PdfReader(io.BytesIO(content))
    drawn: dict[str, list[int]] = {}
    for page in reader.pages:
        fonts = page["/Resources"]["/Font"]
        name, count = "", 0
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"Tf":
                font = fonts[operands[0]].get_object()
                count, identity = glyph_count(font)
                assert identity, "WeasyPrint's CID fonts map codes to glyph ids"
                name = str(font["/BaseFont"]).split("+", 1)[-1]
            elif operator in (b"Tj", b"TJ", b"'", b'"'):
                pieces = operands[0] if operator == b"TJ" else operands[-1:]
                for piece in pieces:
                    if isinstance(piece, (bytes, str)):
                        data = piece if isinstance(piece, bytes) else piece.original_bytes
                        glyphs = [int.from_bytes(data[i : i + 2], "big")
                                  for i in range(0, len(data), 2)]  # fmt: skip
                        drawn.setdefault(name, []).extend(
                            -1 if glyph == 0 or glyph >= count else glyph for glyph in glyphs
                        )
    return drawn


def text_by_font(content: bytes) -> dict[str, str]:
    """The text each font draws (its name without the subset prefix), read back through the
    fonts' ToUnicode maps."""
    found: dict[str, str] = {}

    def visit(text, _matrix, _text_matrix, font, _size):
        if font is not None:
            name = str(font["/BaseFont"]).split("+", 1)[-1]
            found[name] = found.get(name, "") + text

    for page in pypdf.PdfReader(io.BytesIO(content)).pages:
        page.extract_text(visitor_text=visit)
    return found


def embedded_fonts(path: Path) -> list[str]:
    lines = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]  # fmt: skip
    return [line.split()[0].split("+", 1)[-1] for line in lines]


def page_image(path: Path) -> Image.Image:
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-singlefile", str(path),
                    str(path.with_suffix(""))], check=True)  # fmt: skip
    return Image.open(path.with_suffix(".png")).convert("RGB")


def sunflower_pixels(image: Image.Image) -> int:
    """Yellow pixels: the certificate's own colours are purple and near-black."""
    return sum(1 for r, g, b in image.get_flattened_data() if r > 200 and g > 150 and b < 90)


def problems(content: bytes, folder: Path, name: str, family: str) -> list[str]:
    """What is wrong with the PDF of a certificate that carries `name` (nothing: an empty list)."""
    path = folder / "certificate.pdf"
    path.write_bytes(content)
    found = []
    if (pages := len(pypdf.PdfReader(io.BytesIO(content)).pages)) != 1:
        found.append(f"{name!r}: the certificate takes {pages} pages")
    drawn = glyphs_drawn(content)
    if boxes := sorted(font for font, glyphs in drawn.items() if -1 in glyphs):
        found.append(f"{name!r} is printed with empty boxes (.notdef) in {boxes}")
    # The emoji font draws the emoji and nothing else (not the dates' digits and spaces).
    emoji = [glyph for font, glyphs in drawn.items() if "Emoji" in font for glyph in glyphs]
    if len(emoji) != sum(1 for character in name if ord(character) >= 0x1F000):
        found.append(f"{name!r}: the emoji font draws {len(emoji)} glyphs")
    fonts = embedded_fonts(path)
    if not any(font.startswith(family) for font in fonts):
        found.append(f"{name!r} is not printed in {family} but in {fonts}")
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip
    # Every character comes back (complex scripts may come back reordered, as their glyphs are).
    if lost := set(name) - {" "} - set(text):
        found.append(f"{name!r}: {sorted(lost)} do not come back out of the PDF")
    if "🌻" in name and sunflower_pixels(page_image(path)) <= 20:
        found.append(f"{name!r}: the emoji is not drawn in colour")
    return found


@pytest.mark.usefixtures("_noto_fonts")
@pytest.mark.parametrize(("name", "family", "language"), NAMES, ids=[n[1] for n in NAMES])
def test_every_glyph_of_the_name_is_printed(tmp_path, caplog, name, family, language):
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        content = pdf.render(sample_context(name, language))
    assert problems(content, tmp_path, name, family) == []
    # WeasyPrint itself says when it drew a character it found in no font.
    assert not [r.message for r in caplog.records if ".notdef" in r.getMessage()]


@pytest.mark.usefixtures("_noto_fonts")
def test_only_the_code_is_in_the_monospace_font():
    """Under the QR code, the code itself is monospace (0 and O, 1 and I apart); its label is
    text in the certificate's language and takes the text's fonts: on an Arabic certificate,
    Noto Naskh Arabic, whose letters join (DejaVu Sans Mono's Arabic letters stand apart)."""
    context = sample_context("فاطمة الزهراء", "ar")
    drawn = text_by_font(pdf.render(context))
    with translation.override("ar"):
        label = translation.gettext("Code")
    assert label != "Code"  # the Arabic catalogue has it
    assert drawn["DejaVu-Sans-Mono"].strip() == context["code"], drawn
    assert label in drawn["Noto-Naskh-Arabic"], drawn


# Run under a fontconfig that knows only DejaVu (test_dejavu_alone_fails): the same certificate
# content and checks, without a database.
UNDER_DEJAVU = """
import json, pathlib, tempfile
import django
django.setup()
from certificates import pdf
from tests.certificates.test_scripts import NAMES, problems, sample_context
failed = {}
for name, family, language in NAMES:
    with tempfile.TemporaryDirectory() as folder:
        found = problems(pdf.render(sample_context(name, language)), pathlib.Path(folder), name,
                         family)
    if found:
        failed[family] = found
print(json.dumps(failed))
"""


@pytest.mark.usefixtures("_noto_fonts")
def test_dejavu_alone_fails(tmp_path):
    """The proof above can fail: with a fontconfig that knows only DejaVu (a machine with only
    fonts-dejavu-core, as before this change), the same checks find the empty boxes."""
    dejavu = Path("/usr/share/fonts/truetype/dejavu")
    if not dejavu.is_dir():
        pytest.skip("DejaVu is not installed here")
    (tmp_path / "fonts.conf").write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f"<dir>{dejavu}</dir><cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>"
    )
    env = {**os.environ, "FONTCONFIG_FILE": str(tmp_path / "fonts.conf"),
           "DJANGO_SETTINGS_MODULE": "training.settings.test"}  # fmt: skip
    run = subprocess.run([sys.executable, "-c", UNDER_DEJAVU], capture_output=True, text=True,
                         env=env, cwd=Path(__file__).resolve().parents[2], timeout=300)  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    failed = json.loads(run.stdout.strip().splitlines()[-1])
    # DejaVu has Latin and Arabic letters, none of these scripts:
    for family in (
        "Noto-Serif-Devanagari",
        "Noto-Serif-Bengali",
        "Noto-Serif-Tamil",
        "Noto-Serif-Thai",
        "Noto-Serif-CJK",
        "Noto-Serif-Ethiopic",
        "Noto-Color-Emoji",
    ):
        assert family in failed, (family, failed)
        assert any("empty boxes" in problem for problem in failed[family]), failed[family]
