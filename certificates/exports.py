"""Exports of the pool: CSV and JSON stream row by row (constant memory, first byte at once);
XLSX is built in Celery and downloaded from an expiring link. Each export is recorded
(PoolAccess) before any row leaves."""

import csv
import json
from datetime import timedelta

from django.conf import settings
from django.core.files.base import File
from django.db import transaction
from django.http import StreamingHttpResponse
from django.utils import timezone

from training.spreadsheets import safe_cell

from . import pool
from .models import PoolAccess, PoolExport

CHUNK = 2000


class _Echo:
    def write(self, value):
        return value


def log(*, user, kind, filters: dict, rows: int, token=None) -> PoolAccess:
    return PoolAccess.objects.create(user=user, kind=kind, filters=filters, rows=rows,
                                     token=token)  # fmt: skip


def _values(filters: dict):
    return pool.members(filters).values(*pool.FIELDS).iterator(chunk_size=CHUNK)


def _counted(access: PoolAccess, pieces):
    """Pass `pieces` through, then record how many people were sent (also when the download
    is interrupted: the record says how far it went)."""
    sent = 0
    try:
        for piece, rows in pieces:
            sent += rows
            yield piece
    finally:
        PoolAccess.objects.filter(pk=access.pk).update(rows=sent)


def _batches(filters: dict, line):
    batch = []
    for values in _values(filters):
        batch.append(line(pool.record(values)))
        if len(batch) >= 200:
            yield "".join(batch), len(batch)
            batch = []
    if batch:
        yield "".join(batch), len(batch)


def csv_response(*, user, filters: dict, used: dict) -> StreamingHttpResponse:
    access = log(user=user, kind=PoolAccess.Kind.CSV, filters=used, rows=0)
    writer = csv.writer(_Echo())

    def pieces():
        # The byte-order mark makes spreadsheets read the file as UTF-8.
        yield "\ufeff" + writer.writerow([str(label) for _key, label in pool.COLUMNS]), 0
        yield from _batches(
            filters, lambda record: writer.writerow([safe_cell(c) for c in pool.flat(record)])
        )

    response = StreamingHttpResponse(_counted(access, pieces()),
                                     content_type="text/csv; charset=utf-8")  # fmt: skip
    response["Content-Disposition"] = 'attachment; filename="responder-pool.csv"'
    response["Cache-Control"] = "no-store"
    return response


def json_response(*, user, filters: dict, used: dict) -> StreamingHttpResponse:
    """A JSON document {"meta": …, "results": [...]}, produced piece by piece."""
    access = log(user=user, kind=PoolAccess.Kind.JSON, filters=used, rows=0)
    meta = {"filters": used, "exported_at": timezone.now().isoformat()}

    def pieces():
        yield '{"meta": ' + json.dumps(meta) + ', "results": [', 0
        first = True

        def line(record):
            nonlocal first
            text = ("" if first else ",") + json.dumps(record, ensure_ascii=False)
            first = False
            return text

        yield from _batches(filters, line)
        yield "]}", 0

    response = StreamingHttpResponse(_counted(access, pieces()),
                                     content_type="application/json")  # fmt: skip
    response["Content-Disposition"] = 'attachment; filename="responder-pool.json"'
    response["Cache-Control"] = "no-store"
    return response


def xlsx_start(*, user, filters: dict, used: dict) -> PoolExport:
    """Record the export and queue the spreadsheet (built by `build_xlsx` in Celery)."""
    from .tasks import export_xlsx

    with transaction.atomic():
        export = PoolExport.objects.create(
            requested_by=user, filters=used,
            expires_at=timezone.now() + timedelta(hours=settings.ACOMPANA_EXPORT_HOURS),
        )  # fmt: skip
        transaction.on_commit(lambda: export_xlsx.delay(export.pk))
    return export


def _filters_from(used: dict) -> dict:
    form = pool.PoolFilter(used)
    return form.cleaned_data if form.is_valid() else {}


def build_xlsx(export_id: int) -> str:
    """Write the spreadsheet with constant memory, reporting progress every CHUNK rows.
    Idempotent: a finished export is left alone; a retried one starts again."""
    import tempfile

    import xlsxwriter

    with transaction.atomic():
        export = PoolExport.objects.select_for_update().get(pk=export_id)
        if export.status == PoolExport.Status.READY:
            return "ready"
        export.status = PoolExport.Status.RUNNING
        export.done = 0
        filters = _filters_from(export.filters)
        export.total = pool.members(filters).count()
        export.save(update_fields=["status", "done", "total"])
        log(user=export.requested_by, kind=PoolAccess.Kind.XLSX, filters=export.filters,
            rows=export.total)  # fmt: skip
    try:
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
            book = xlsxwriter.Workbook(handle.name, {"constant_memory": True,
                                                     "strings_to_formulas": False,
                                                     "strings_to_urls": False})  # fmt: skip
            sheet = book.add_worksheet("Pool")
            bold = book.add_format({"bold": True})
            for col, (_key, label) in enumerate(pool.COLUMNS):
                sheet.write_string(0, col, str(label), bold)
            row_number = 0
            for row_number, values in enumerate(_values(filters), start=1):
                # write_string stores text, never a formula; cells are neutralised as in the
                # CSV all the same, because people copy them into other sheets and tools.
                for col, cell in enumerate(pool.flat(pool.record(values))):
                    sheet.write_string(row_number, col, safe_cell(cell))
                if row_number % CHUNK == 0:
                    PoolExport.objects.filter(pk=export.pk).update(done=row_number)
            book.close()
            with open(handle.name, "rb") as built:
                export.file.save(f"pool-{export.pk}.xlsx", File(built), save=False)
        PoolExport.objects.filter(pk=export.pk).update(
            status=PoolExport.Status.READY, done=row_number, file=export.file.name,
            finished_at=timezone.now(),
        )  # fmt: skip
    except Exception:
        PoolExport.objects.filter(pk=export.pk).update(status=PoolExport.Status.FAILED)
        raise
    return "built"
