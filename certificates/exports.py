"""Exports of the pool: CSV and JSON stream row by row (constant memory, first byte at once);
XLSX is built in Celery and downloaded from an expiring link. Each export is recorded in the audit
log (training.audit) before any row leaves, and who was in it is added as the rows leave."""

import csv
import json
import tempfile
from datetime import date, datetime, time, timedelta

import xlsxwriter
from django.conf import settings
from django.core.files.base import File
from django.db import transaction
from django.http import StreamingHttpResponse
from django.utils import timezone, translation

from training import audit, outbox
from training.models import AuditEntry
from training.spreadsheets import safe_cell

# exports ↔ tasks: the export queues its task, the task builds the export (module imports).
from . import pool, tasks
from .models import PoolExport

CHUNK = 2000

# What the coordinators' access record lists (pool_views.access_log): every page of the pool
# opened, every export and every API call.
# Opening the list of who an entry included shows names too: it is in the record itself.
ACCESS_ACTIONS = ("pool.viewed", "pool.export_csv", "pool.export_json", "pool.export_xlsx",
                  "pool.api", "pool.log_entry_viewed")  # fmt: skip


class _Echo:
    def write(self, value):
        return value


def _values(filters: dict):
    return pool.members(filters).values(*pool.FIELDS).iterator(chunk_size=CHUNK)


def _start(*, action: str, user, request, filters: dict, used: dict) -> AuditEntry:
    """The export's entry, before any row leaves: its filters and how many people match."""
    return audit.record(action=action, actor=user, request=request, detail={"filters": used},
                        count=pool.members(filters).count())  # fmt: skip


def _batches(filters: dict, line):
    """(text, [person ids]) for each 200 people."""
    batch, people = [], []
    for values in _values(filters):
        batch.append(line(pool.record(values)))
        people.append(values["user_id"])
        if len(batch) >= 200:
            yield "".join(batch), people
            batch, people = [], []
    if batch:
        yield "".join(batch), people


def csv_response(*, user, filters: dict, used: dict, request=None) -> StreamingHttpResponse:
    entry = _start(action="pool.export_csv", user=user, request=request, filters=filters,
                   used=used)  # fmt: skip
    writer = csv.writer(_Echo())
    # Rows are written after the view returns: labels in the language the coordinator asked in.
    language = translation.get_language() or settings.LANGUAGE_CODE

    def pieces():
        with translation.override(language):
            # The byte-order mark makes spreadsheets read the file as UTF-8.
            yield "\ufeff" + writer.writerow([str(label) for _key, label in pool.COLUMNS]), []
            yield from _batches(
                filters, lambda record: writer.writerow([safe_cell(c) for c in pool.flat(record)])
            )

    response = StreamingHttpResponse(audit.sent(entry, pieces()),
                                     content_type="text/csv; charset=utf-8")  # fmt: skip
    response["Content-Disposition"] = 'attachment; filename="responder-pool.csv"'
    response["Cache-Control"] = "no-store"
    return response


def json_response(*, user, filters: dict, used: dict, request=None) -> StreamingHttpResponse:
    """A JSON document {"meta": …, "results": [...]}, produced piece by piece."""
    entry = _start(action="pool.export_json", user=user, request=request, filters=filters,
                   used=used)  # fmt: skip
    meta = {"filters": used, "exported_at": timezone.now().isoformat()}

    def pieces():
        yield '{"meta": ' + json.dumps(meta) + ', "results": [', []
        first = True

        def line(record):
            nonlocal first
            text = ("" if first else ",") + json.dumps(record, ensure_ascii=False)
            first = False
            return text

        yield from _batches(filters, line)
        yield "]}", []

    response = StreamingHttpResponse(audit.sent(entry, pieces()),
                                     content_type="application/json")  # fmt: skip
    response["Content-Disposition"] = 'attachment; filename="responder-pool.json"'
    response["Cache-Control"] = "no-store"
    return response


def xlsx_start(*, user, filters: dict, used: dict, request=None) -> PoolExport:
    """Record the export (who asked, from where: `request`) and queue the spreadsheet (built by
    `build_xlsx` in Celery, which adds the people once the file is ready)."""
    with transaction.atomic():
        export = PoolExport.objects.create(
            requested_by=user, filters=used,
            expires_at=timezone.now() + timedelta(hours=settings.ACOMPANA_EXPORT_HOURS),
        )  # fmt: skip
        audit.record(action="pool.export_xlsx", actor=user, request=request,
                     detail={"filters": used, "export": export.pk},
                     count=pool.members(filters).count())  # fmt: skip
        outbox.queue(tasks.export_xlsx, export.pk)
    return export


def _xlsx_entry(export: PoolExport) -> AuditEntry:
    """The entry xlsx_start recorded (or, for an export queued another way, a new one)."""
    entry = (
        AuditEntry.objects.filter(action="pool.export_xlsx", detail__export=export.pk)
        .order_by("pk")
        .first()
    )
    if entry is None:
        entry = audit.record(action="pool.export_xlsx", actor=export.requested_by_id,
                             detail={"filters": export.filters, "export": export.pk},
                             count=export.total)  # fmt: skip
    return entry


def _filters_from(used: dict) -> dict:
    form = pool.PoolFilter(used)
    return form.cleaned_data if form.is_valid() else {}


def _language_of(export: PoolExport) -> str:
    language = export.requested_by.preferred_language
    codes = {code for code, _name in settings.LANGUAGES}
    return language if language in codes else settings.LANGUAGE_CODE


def _write(sheet, row: int, col: int, value, day_format) -> None:
    """A typed cell: a number as a number, a date as a date (which sorts and filters as one),
    text as text (write_string never stores a formula; neutralised as in the CSV all the same,
    because people copy cells into other sheets and tools); nothing shared: a blank cell."""
    if value is None:
        return
    if isinstance(value, bool):
        sheet.write_string(row, col, str(value))
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value)
    elif isinstance(value, date):
        sheet.write_datetime(row, col, datetime.combine(value, time.min), day_format)
    else:
        sheet.write_string(row, col, safe_cell(value))


def exports_purge() -> int:
    """Delete spreadsheets whose download link expired (the record of the export stays).
    Returns how many files it deleted."""
    count = 0
    for export in PoolExport.objects.filter(expires_at__lt=timezone.now()).exclude(file=""):
        export.file.delete(save=False)
        export.file = ""
        export.save(update_fields=["file"])
        count += 1
    return count


def build_xlsx(export_id: int) -> str:
    """Write the spreadsheet with constant memory, reporting progress every CHUNK rows.
    Idempotent: a finished export is left alone; a retried one starts again."""
    with transaction.atomic():
        export = PoolExport.objects.select_for_update().get(pk=export_id)
        if export.status == PoolExport.Status.READY:
            return "ready"
        export.status = PoolExport.Status.RUNNING
        export.done = 0
        filters = _filters_from(export.filters)
        export.total = pool.members(filters).count()
        export.save(update_fields=["status", "done", "total"])
        entry = _xlsx_entry(export)
    people = []  # who is in the file: recorded once it is ready (a failed build sent nobody)
    try:
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
            book = xlsxwriter.Workbook(handle.name, {"constant_memory": True,
                                                     "strings_to_formulas": False,
                                                     "strings_to_urls": False})  # fmt: skip
            sheet = book.add_worksheet("Pool")
            bold = book.add_format({"bold": True})
            day = book.add_format({"num_format": "yyyy-mm-dd"})
            row_number = 0
            # Headers and labels in the language of the coordinator who asked.
            with translation.override(_language_of(export)):
                for col, (_key, label) in enumerate(pool.COLUMNS):
                    sheet.write_string(0, col, str(label), bold)
                for row_number, values in enumerate(_values(filters), start=1):
                    for col, cell in enumerate(pool.cells(pool.record(values))):
                        _write(sheet, row_number, col, cell, day)
                    people.append(values["user_id"])
                    if row_number % CHUNK == 0:
                        PoolExport.objects.filter(pk=export.pk).update(done=row_number)
            sheet.set_column(0, len(pool.COLUMNS) - 1, 18)
            book.close()
            with open(handle.name, "rb") as built:
                export.file.save(f"pool-{export.pk}.xlsx", File(built), save=False)
        with transaction.atomic():
            audit.add_subjects(entry, people)
            updated = PoolExport.objects.filter(pk=export.pk).update(
                status=PoolExport.Status.READY, done=row_number, file=export.file.name,
                finished_at=timezone.now(),
            )  # fmt: skip
        if not updated:
            # The export went meanwhile (its coordinator's account was deleted): no record
            # would ever purge this file, so it goes now.
            export.file.storage.delete(export.file.name)
            return "gone"
    except Exception:
        PoolExport.objects.filter(pk=export.pk).update(status=PoolExport.Status.FAILED)
        raise
    return "built"
