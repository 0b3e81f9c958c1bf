"""Download my data: a ZIP of everything the privacy registry declares about one person.

The person asks (`data_download_request`); Celery builds the archive (`build`, run by
`training.tasks.build_data_download`); the person downloads it from an expiring link; a scheduled
task deletes the file when the link expires (`data_downloads_purge`).

The archive holds, for each category of the registry (`privacy.by_category()`), one JSON file
written from each declaration's `export(person)`, the files each declaration's `files(person)`
yields (certificate PDFs…), and an `index.html` that opens offline (no script, no external
resource), in the person's language and time zone. Declarations answer for their rows (other
people by display name at most); this envelope adds nothing about anyone else.
"""

from __future__ import annotations

import contextvars
import datetime
import json
import logging
import posixpath
import re
import secrets
import shutil
import tempfile
import zipfile
import zoneinfo
from collections.abc import Iterable
from datetime import timedelta
from decimal import Decimal
from uuid import UUID

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.files.base import File
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from . import outbox, privacy
from .models import DataDownload, User
from .timezones import zone_label, zone_label_inline

logger = logging.getLogger(__name__)

# The Celery task's hard time limit (training/tasks.py). A download still "being prepared" longer
# than this after it started was killed with its worker: it is shown as failed and may be asked
# again. One still waiting this long after it was asked never reached a worker.
TIME_LIMIT = 15 * 60
STUCK_AFTER = timedelta(seconds=TIME_LIMIT + 60)
WAITING_LIMIT = timedelta(hours=1)
# index.html shows this many rows of each kind; the JSON file holds them all.
HTML_ROWS = 500
# A value longer than this is cut in index.html (the JSON file holds it whole).
HTML_VALUE_CHARS = 2000
# Rows with more columns than this are shown one record at a time, headings down the side.
WIDE_COLUMNS = 7

# Why a download failed (DataDownload.error): the person reads the translated words.
ERRORS = {
    "timeout": _("Preparing your data took too long."),
    "lost": _("Preparing your data stopped before it was done."),
    "error": _("Something went wrong while preparing your data."),
}


# The download whose archive is being written: its own record reads "this archive" in it.
_BUILDING: contextvars.ContextVar[int | None] = contextvars.ContextVar("building", default=None)


class TooManyRequests(ValidationError):
    """The person asked for their data too many times today."""


# --- Asking -------------------------------------------------------------------------------------
def _stuck(download: DataDownload, now) -> bool:
    if download.status == DataDownload.Status.RUNNING:
        return (download.started_at or download.created_at) < now - STUCK_AFTER
    if download.status == DataDownload.Status.PENDING:
        return download.created_at < now - WAITING_LIMIT
    return False


def shown_status(download: DataDownload, now=None) -> str:
    """The status a person sees: a download stuck "being prepared" past the task's time limit
    is failed (its worker was lost), a ready one past its expiry is "expired"."""
    now = now or timezone.now()
    if _stuck(download, now):
        return DataDownload.Status.FAILED
    if download.status == DataDownload.Status.READY and download.expires_at <= now:
        return "expired"
    return download.status


def _fail_stuck(person, now) -> None:
    for download in DataDownload.objects.filter(person=person,
                                                status__in=DataDownload.IN_PROGRESS):  # fmt: skip
        if _stuck(download, now):
            DataDownload.objects.filter(pk=download.pk, status=download.status).update(
                status=DataDownload.Status.FAILED, error="lost", finished_at=now
            )


@transaction.atomic
def data_download_request(*, person: User, request=None) -> DataDownload:
    """Ask for a copy of `person`'s data; returns the download being prepared (the one already
    on its way, if any: one at a time). Raises TooManyRequests past
    ACOMPANA_DATA_DOWNLOADS_PER_DAY in 24 hours (failed ones do not count: asking again after a
    failure always works)."""
    # Here, not at the top: tasks imports this module (its task calls build).
    from .tasks import build_data_download  # noqa: PLC0415

    now = timezone.now()
    # One request of this person at a time (two tabs, a double click): the second waits here,
    # then finds the first one's download.
    User.objects.select_for_update().filter(pk=person.pk).first()
    _fail_stuck(person, now)
    current = DataDownload.objects.filter(person=person,
                                          status__in=DataDownload.IN_PROGRESS).first()  # fmt: skip
    if current is not None:
        return current
    recent = (
        DataDownload.objects.filter(person=person, created_at__gt=now - timedelta(days=1))
        .exclude(status=DataDownload.Status.FAILED)
        .count()
    )
    if recent >= settings.ACOMPANA_DATA_DOWNLOADS_PER_DAY:
        raise TooManyRequests(
            _(
                "You have asked for your data several times today. Use the last archive, or "
                "try again tomorrow."
            ),
            code="too_many",
        )
    download = DataDownload.objects.create(
        person=person, created_at=now,
        expires_at=now + timedelta(hours=settings.ACOMPANA_DATA_DOWNLOAD_HOURS),
    )  # fmt: skip
    outbox.queue(build_data_download, download.pk, robust=True)
    return download


# --- Building -----------------------------------------------------------------------------------
class _Encoder(json.JSONEncoder):
    """JSON for export rows: times in the person's zone (active while building), with offset."""

    def default(self, value):
        if isinstance(value, datetime.datetime):
            if timezone.is_aware(value):
                value = timezone.localtime(value)
            return value.isoformat()
        if isinstance(value, datetime.date | datetime.time):
            return value.isoformat()
        if isinstance(value, datetime.timedelta):
            return value.total_seconds()
        if isinstance(value, Decimal | UUID | Promise):
            return str(value)
        if isinstance(value, set | frozenset | tuple):
            return list(value)
        return super().default(value)


def _dumps(value) -> str:
    return json.dumps(value, cls=_Encoder, ensure_ascii=False)


def _safe_member(name: str) -> str:
    """An archive member name from a declaration's file name: relative, no "..", no surprises."""
    parts = [p for p in re.split(r"[\\/]+", str(name)) if p not in ("", ".", "..")]
    parts = [re.sub(r"[^\w.\- ]+", "_", part).strip() or "_" for part in parts]
    return posixpath.join("files", *parts) if parts else "files/file"


def _iso_datetime(value: str):
    if len(value) < 16 or value[4] != "-" or "T" not in value:
        return None
    try:
        return parse_datetime(value)
    except ValueError:
        return None


def _iso_date(value: str):
    try:
        return parse_date(value)
    except ValueError:
        return None


def _local_times(row: dict) -> dict:
    """The row with its times (top-level ISO strings, as declarations write them) in the
    person's zone: every declaration's times read alike, whatever zone it wrote them in."""
    if not isinstance(row, dict):
        return {"value": row}
    local = {}
    for key, value in row.items():
        moment = _iso_datetime(value) if isinstance(value, str) else None
        if moment is not None and timezone.is_aware(moment):
            value = timezone.localtime(moment).isoformat()
        local[key] = value
    return local


def _record(declaration, value: dict) -> list[tuple[str, dict]] | None:
    """A nested record as (heading, cell) pairs, or None when one of its keys has no heading
    (machine data, such as an activity's stored state: shown as JSON)."""
    pairs = []
    for key, item in value.items():
        if declaration is not None and declaration.hidden(key):
            continue
        heading = declaration.label(key) if declaration is not None else None
        if heading is None:
            return None
        pairs.append((heading, _cell(declaration.show(key, item), declaration)))
    return pairs


def _cell(value, declaration=None) -> dict:
    """One value of a row as index.html shows it: {"text": …, "code": bool}, or {"records":
    [[(heading, cell)…]…]} for nested records whose keys all have headings."""
    records = _records(value, declaration)
    if records is not None:
        return {"records": records, "text": "", "code": False}
    if value is None or value == "":
        return {"text": "—", "code": False}
    if isinstance(value, bool):
        return {"text": str(_("Yes") if value else _("No")), "code": False}
    if isinstance(value, str):
        value = _moment(value) or value
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
            zone = zone_label_inline(timezone.get_current_timezone_name())
            return {"text": f"{formats.date_format(value, 'DATETIME_FORMAT')} ({zone})",
                    "code": False}  # fmt: skip
        return {"text": formats.date_format(value, "DATETIME_FORMAT"), "code": False}
    if isinstance(value, datetime.date):
        return {"text": formats.date_format(value, "DATE_FORMAT"), "code": False}
    if isinstance(value, list | tuple | set | frozenset) and all(
        isinstance(item, str | int | float | Promise) and not isinstance(item, bool)
        for item in value
    ):
        text, code = ", ".join(str(item) for item in value), False
    elif isinstance(value, dict | list | tuple | set | frozenset):
        text, code = _dumps(value), True
    else:
        text, code = str(value), False
    if len(text) > HTML_VALUE_CHARS:
        text = text[:HTML_VALUE_CHARS] + "…"
    return {"text": text, "code": code}


def _records(value, declaration) -> list | None:
    """A nested record (a dict) or a list of them as records whose keys all have headings, else
    None (shown as text)."""
    if isinstance(value, dict) and value:
        record = _record(declaration, value)
        return None if record is None else [record]
    if isinstance(value, list) and value and all(isinstance(i, dict) and i for i in value):
        records = [_record(declaration, item) for item in value]
        return records if all(record is not None for record in records) else None
    return None


def _moment(value: str) -> datetime.datetime | datetime.date | None:
    """The date and time, or the date, an ISO string holds; None for any other string."""
    moment = _iso_datetime(value)
    if moment is None and len(value) == 10 and value[4] == value[7] == "-":
        moment = _iso_date(value)
    return moment


def _heading(declaration, model, key: str) -> str:
    """A column heading: the declared translated label (privacy.LABELS or the declaration's
    `labels`; a test checks every key has one), else the model field's name."""
    label = declaration.label(key)
    if label is not None:
        return label
    if model is not None:
        try:
            return str(capfirst(model._meta.get_field(key).verbose_name))
        except (FieldDoesNotExist, AttributeError):
            pass
    return capfirst(key.replace("_", " "))


def _table(declaration, rows: list[dict]) -> dict:
    try:
        model = declaration.model_class
    except LookupError:
        model = None
    keys: list[str] = []
    for row in rows:
        keys.extend(key for key in row if key not in keys and not declaration.hidden(key))
    headings = [_heading(declaration, model, key) for key in keys]
    cells = [
        [_cell(declaration.show(key, row.get(key)), declaration) for key in keys] for row in rows
    ]
    if len(keys) > WIDE_COLUMNS:
        # Many columns read better as one small table per record (heading, value).
        return {"records": [list(zip(headings, row, strict=True)) for row in cells]}
    return {"headings": headings, "rows": cells}


def _rows(declaration, person) -> Iterable[dict]:
    """The declaration's rows, as they come (a generator is read once, in constant memory)."""
    if declaration.export is None:
        return ()
    return declaration.export(person)


def _member(name: str, generated_at) -> zipfile.ZipInfo:
    """An archive member dated when the archive was made (in the person's zone), not 1980."""
    info = zipfile.ZipInfo(name, date_time=generated_at.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _write_category(archive, category, declarations, person, generated_at) -> list[dict]:
    """Write `<category>.json` row by row; return what index.html shows of it (bounded)."""
    name = f"{category.key}.json"
    shown = []
    with archive.open(_member(name, generated_at), "w", force_zip64=True) as raw:
        out = _TextOut(raw)
        out.write('{"category": ' + _dumps(str(category.title)))
        out.write(', "generated_at": ' + _dumps(generated_at))
        out.write(', "data": {')
        for position, declaration in enumerate(declarations):
            out.write((", " if position else "") + _dumps(declaration.model) + ": {")
            out.write('"title": ' + _dumps(str(declaration.title)))
            out.write(', "holds": ' + _dumps(str(declaration.holds)))
            out.write(', "purpose": ' + _dumps(str(declaration.purpose)))
            out.write(', "seen_by": ' + _dumps(str(declaration.seen_by)))
            out.write(', "kept_for": ' + _dumps(declaration.retention.describe()))
            out.write(', "rows": [')
            sample, count = [], 0
            for row in _rows(declaration, person):
                row = _local_times(row)
                out.write((", " if count else "") + _dumps(row))
                if count < HTML_ROWS:
                    sample.append(row)
                count += 1
            out.write("]}")
            shown.append({"declaration": declaration, "sample": sample, "count": count})
        out.write("}}")
        out.flush()
    return shown


class _TextOut:
    """Text written to a binary archive member in UTF-8, in pieces of about 64 KiB."""

    def __init__(self, raw):
        self.raw, self.pieces, self.size = raw, [], 0

    def write(self, text: str) -> None:
        self.pieces.append(text)
        self.size += len(text)
        if self.size > 65536:
            self.flush()

    def flush(self) -> None:
        if self.pieces:
            self.raw.write("".join(self.pieces).encode())
            self.pieces, self.size = [], 0


def _write_files(archive, declarations, person, taken: set[str],
                 generated_at) -> dict[str, list[dict]]:  # fmt: skip
    """Copy each declaration's files into `files/`; return, per model, what index.html links."""
    linked: dict[str, list[dict]] = {}
    for declaration in declarations:
        if declaration.files is None:
            continue
        for archive_name, field_file in declaration.files(person):
            member = _safe_member(archive_name)
            stem, dot, extension = member.rpartition(".")
            number = 1
            while member in taken:
                number += 1
                member = f"{stem}-{number}.{extension}" if dot else f"{stem or extension}-{number}"
            entry = {"name": member, "label": posixpath.basename(member), "missing": False}
            try:
                with (
                    field_file.open("rb") as source,
                    archive.open(_member(member, generated_at), "w", force_zip64=True) as target,
                ):
                    shutil.copyfileobj(source, target, 1024 * 1024)
                taken.add(member)
            except (FileNotFoundError, ValueError, OSError):
                # A file the storage lost: said in index.html, not a failed archive.
                logger.warning("data download: %s file missing for %s", declaration.model,
                               person.pk)  # fmt: skip
                entry["missing"] = True
            linked.setdefault(declaration.model, []).append(entry)
    return linked


def _section(category, shown, linked) -> str:
    models = []
    for item in shown:
        declaration = item["declaration"]
        models.append({
            "anchor": declaration.model.replace(".", "-").lower(),
            "label": declaration.model,
            "title": declaration.title,
            "holds": declaration.holds, "purpose": declaration.purpose,
            "seen_by": declaration.seen_by, "kept_for": declaration.retention.describe(),
            "count": item["count"], "shown": len(item["sample"]),
            "table": _table(declaration, item["sample"]) if item["sample"] else None,
            "files": linked.get(declaration.model, []),
        })  # fmt: skip
    return render_to_string("training/data_download/section.html", {
        "category": category, "json_name": f"{category.key}.json", "models": models,
    })  # fmt: skip


def _language(person) -> str:
    code = person.preferred_language or settings.LANGUAGE_CODE
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _zone(person) -> str:
    try:
        zoneinfo.ZoneInfo(person.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        return "UTC"
    return person.time_zone


def write_archive(handle, person, download=None) -> None:
    """Write the whole archive of `person` into the binary file `handle` (reporting progress on
    `download` after each category). Runs in the person's language and time zone."""
    sections = privacy.by_category()
    language = _language(person)
    building = _BUILDING.set(download.pk if download is not None else None)
    try:
        with translation.override(language), timezone.override(_zone(person)):
            _write_archive(handle, person, download, sections, language)
    finally:
        _BUILDING.reset(building)


def _write_archive(handle, person, download, sections, language) -> None:
    generated_at = timezone.localtime()
    info = translation.get_language_info(language)
    with (
        # index.html's sections, written as each category is, copied in at the end (a ZIP
        # member is written one at a time): memory stays bounded whatever the history.
        tempfile.TemporaryFile(mode="w+", encoding="utf-8") as body,
        zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive,
    ):
        taken: set[str] = set()
        contents = []
        for number, (category, declarations) in enumerate(sections, start=1):
            shown = _write_category(archive, category, declarations, person,
                                    generated_at)  # fmt: skip
            linked = _write_files(archive, declarations, person, taken, generated_at)
            body.write(_section(category, shown, linked))
            contents.append({"key": category.key, "title": category.title})
            if download is not None:
                DataDownload.objects.filter(pk=download.pk).update(done=number)
        context = {
            "person": person, "generated_at": generated_at, "contents": contents,
            "language": language, "rtl": info.get("bidi", False),
            "zone": zone_label(timezone.get_current_timezone_name()),
            "organisation": settings.ACOMPANA_ORGANISATION,
            "has_files": bool(taken),
        }  # fmt: skip
        head, _split, foot = render_to_string(
            "training/data_download/index.html", context
        ).partition("<!-- sections -->")
        with archive.open(_member("index.html", generated_at), "w") as raw:
            raw.write(head.encode())
            body.seek(0)
            while piece := body.read(65536):
                raw.write(piece.encode())
            raw.write(foot.encode())


def build(download_id: int) -> str:
    """Build the archive of one download. Idempotent: a finished download (ready, or failed and
    so shown) is left alone; one left running by a lost worker starts again."""
    with transaction.atomic():
        download = (
            DataDownload.objects.select_for_update().select_related("person")
            .filter(pk=download_id).first()
        )  # fmt: skip
        if download is None:
            return "gone"
        if download.status not in DataDownload.IN_PROGRESS:
            return download.status
        download.status = DataDownload.Status.RUNNING
        download.started_at = timezone.now()
        download.done, download.total, download.error = 0, len(privacy.by_category()), ""
        download.save(update_fields=["status", "started_at", "done", "total", "error"])
    person = download.person
    try:
        with tempfile.TemporaryFile() as handle:
            write_archive(handle, person, download)
            size = handle.tell()
            handle.seek(0)
            name = f"acompana-data-{download.pk}-{secrets.token_hex(8)}.zip"
            download.file.save(name, File(handle, name=name), save=False)
    except Exception as error:
        # Recorded and shown (the person may ask again), not retried: a retry would most
        # likely fail the same way, and the person would wait in front of a progress bar.
        kind = "timeout" if isinstance(error, SoftTimeLimitExceeded) else "error"
        logger.exception("data download %s failed", download.pk)
        DataDownload.objects.filter(pk=download.pk).update(
            status=DataDownload.Status.FAILED, error=kind, finished_at=timezone.now()
        )
        return "failed"
    with transaction.atomic():
        updated = DataDownload.objects.filter(pk=download.pk,
                                              status=DataDownload.Status.RUNNING).update(
            status=DataDownload.Status.READY, file=download.file.name, size=size,
            done=download.total, finished_at=timezone.now(),
        )  # fmt: skip
    if not updated:
        # Meanwhile shown as failed (it ran past its time): the file is nobody's.
        download.file.storage.delete(download.file.name)
        return "abandoned"
    return "built"


# --- Retention and the registry ----------------------------------------------------------------
def data_downloads_purge(*, now=None) -> int:
    """Delete the archives whose link expired (the record of the request stays). Safe to rerun."""
    now = now or timezone.now()
    count = 0
    for download in DataDownload.objects.filter(expires_at__lte=now).exclude(file=""):
        download.file.delete(save=False)
        DataDownload.objects.filter(pk=download.pk).update(file="")
        count += 1
    return count


def data_downloads_export(person) -> list[dict]:
    """The person's requests (the archive itself is not put in the next archive). The one being
    built reads "This archive", not "being prepared"."""
    building = _BUILDING.get()
    return [
        {
            "created_at": download.created_at,
            "status": str(
                THIS_ARCHIVE if download.pk == building else download.get_status_display()
            ),
            "finished_at": download.finished_at,
            "expires_at": download.expires_at,
            "size": download.size or None,
            "file_kept": bool(download.file),
        }
        for download in DataDownload.objects.filter(person=person).order_by("created_at")
    ]


THIS_ARCHIVE = _("This archive")


def data_downloads_erase(person) -> int:
    """With the account: the archives (files) and the records of the requests. One being built
    meanwhile finds its record gone and deletes what it wrote (`build`)."""
    for download in DataDownload.objects.filter(person=person).exclude(file=""):
        download.file.delete(save=False)
    count, _by_model = DataDownload.objects.filter(person=person).delete()
    return count


DATA_DOWNLOADS = privacy.Declaration(
    model="training.DataDownload",
    category="records",
    title=_("Copies of your data you asked for"),
    holds=_(
        "When you asked for a copy of your data and whether it was ready, and the archive itself "
        "until its link expires."
    ),
    purpose=_("To prepare your archive and let only you download it."),
    seen_by=_("You. Administrators can see in the audit log when it was downloaded."),
    retention=privacy.Retention(
        hours_setting="ACOMPANA_DATA_DOWNLOAD_HOURS",
        after=_(
            "after you asked for it, then the archive is deleted; the record that you asked "
            "stays as long as your account"
        ),
        task="training.tasks.purge_data_downloads",
    ),
    person=("person",),
    export=data_downloads_export,
    labels={"size": _("Size (bytes)"), "file_kept": _("Archive still kept")},
    erase=data_downloads_erase,
)
