"""Found in a browser walkthrough of the audit log: details as people read them (labels, times in
the viewer's zone, tracks and cohorts by name, in a constant number of queries), entries made by
a scheduled task, former members by reference, the person's own export without repeats, and the
coordinators' pool access record (its filters as the form shows them, and what it is)."""

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certificates import pool
from tests.certificates.factories import make_cohort, make_track
from tests.conftest import login_with_mfa
from training import audit, audit_display, privacy
from training.factories import UserFactory
from training.models import AuditEntry, User

pytestmark = pytest.mark.django_db
REPORT = "training_audit_log"


@pytest.fixture
def admin_client(client, administrator):
    audit.purge(days=0)  # giving the fixtures' people their roles was recorded
    login_with_mfa(client, administrator)
    return client


def _table(client, **query) -> str:
    html = client.get(reverse(REPORT), query).content.decode()
    return html[html.index('id="audit-log"') :]


def test_details_have_labels_local_times_and_names(admin_client, administrator, volunteer):
    User.objects.filter(pk=administrator.pk).update(time_zone="Asia/Jakarta")
    track = make_track(title="Crisis line basics")
    cohort = make_cohort(track, title="Spring group")
    asked = datetime(2026, 12, 4, 17, 46, 2, 699196, tzinfo=UTC)
    audit.record(action="account.deletion_cancelled", actor=volunteer, subject=volunteer,
                 detail={"requested_at": asked.isoformat()})  # fmt: skip
    audit.record(action="certificate.revoked", actor=administrator, subject=volunteer,
                 detail={"track": track.pk, "certificate": 6})  # fmt: skip
    audit.record(action="cohort.progress_export", actor=administrator, count=3,
                 detail={"cohort": cohort.pk,
                         "cohort_title": "Spring group (old title)"})  # fmt: skip
    audit.record(action="account.deleted", subject=volunteer,
                 detail={"requested_by": "self", "deletion": 2, "files": 0, "rows": 1})  # fmt: skip
    table = _table(admin_client)
    assert "2026-12-04T17:46" not in table and "+00:00" not in table
    with timezone.override(ZoneInfo("Asia/Jakarta")):
        assert audit_display.when(asked) in table  # 5 December, 00:46, in Jakarta
    assert "(Jakarta, Indonesia)" in table
    assert "Crisis line basics" in table and "Spring group" in table
    assert "(old title)" not in table  # the cohort as it is named now
    for key in ("requested_at", "track", "certificate", "cohort", "requested_by", "deletion"):
        assert f'data-detail="{key}"' in table, key
        label = str(audit_display.LABELS[key])
        assert re.search(rf'data-detail="{key}">{re.escape(label)}: ', table), key
    assert ">requested_at: " not in table and ">track: " not in table
    assert str(audit_display.VALUES["requested_by", "self"]) in table


def test_a_cohort_deleted_since_is_named_by_its_title_at_the_time(admin_client, administrator):
    audit.record(action="cohort.progress_export", actor=administrator, count=3,
                 detail={"cohort": 987654, "cohort_title": "Autumn group"})  # fmt: skip
    table = _table(admin_client)
    assert "Autumn group (#987654)" in table


def test_an_entry_made_by_a_scheduled_task_says_so(admin_client, coordinator, volunteer):
    audit.record(action="pool.removed", subject=volunteer, detail={"reason": "expired"})
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.9")
    request.user = AnonymousUser()
    audit.record(action="account.deletion_cancelled", subject=volunteer, request=request)
    table = _table(admin_client)
    rows = re.findall(r'<tr data-entry="\d+" data-action="([^"]+)">(.*?)</tr>', table, re.S)
    cells = dict(rows)
    assert "data-scheduled-task" in cells["pool.removed"]
    assert "data-scheduled-task" not in cells["account.deletion_cancelled"]  # a request: not a task
    assert "203.0.113.9" in cells["account.deletion_cancelled"]


def test_a_former_member_is_shown_by_reference(admin_client, administrator):
    gone = UserFactory(display_name="Alba Vidal")
    User.objects.filter(pk=gone.pk).update(anonymised_at=timezone.now())
    audit.record(action="account.data_downloaded", actor=gone, subject=gone)
    table = _table(admin_client)
    assert table.count("data-former-member") == 2  # who, and about whom
    assert f"#{gone.pk}" in table and "Alba Vidal" not in table


def test_the_intro_no_longer_says_only_other_peoples_data(admin_client):
    html = admin_client.get(reverse(REPORT)).content.decode()
    assert "Every action on other people's data" not in html


def _mixed(actor, count: int, start: int) -> None:
    tracks = [make_track() for _ in range(2)]
    cohorts = [make_cohort(tracks[0]) for _ in range(2)]
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(action="certificate.revoked", actor=actor, subject=actor,
                       detail={"track": tracks[n % 2].pk, "certificate": start + n})
            if n % 2 else
            AuditEntry(action="cohort.progress_export", actor=actor, count=1,
                       detail={"cohort": cohorts[n % 2].pk, "cohort_title": "x",
                               "requested_at": "2026-01-01T00:00:00+00:00"})
            for n in range(count)
        ]
    )  # fmt: skip


def test_naming_tracks_and_cohorts_keeps_the_query_count(admin_client, coordinator):
    url = reverse(REPORT)
    _mixed(coordinator, 10, 0)
    admin_client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert admin_client.get(url).status_code == 200
    _mixed(coordinator, 200, 100)
    with CaptureQueriesContext(connection) as large:
        assert admin_client.get(url).status_code == 200
    assert len(large) == len(small), (len(small), len(large))


# --- The person's own archive --------------------------------------------------------------------
def test_ones_own_download_is_listed_once_in_ones_archive(volunteer, coordinator):
    audit.record(action="account.data_downloaded", actor=volunteer, subject=volunteer)
    audit.record_many(
        action="pool.export_csv", actor=volunteer, people=[volunteer.pk, coordinator.pk]
    )
    audit.record(action="certificate.revoked", actor=volunteer, subject=coordinator)
    rows = privacy.REGISTRY["training.AuditEntry"].export_rows(volunteer)
    actions = sorted(row["action"] for row in rows)
    assert actions == sorted([
        audit.action_label("account.data_downloaded"),  # about them (and by them): once
        audit.action_label("pool.export_csv"),  # included them: once
        audit.action_label("certificate.revoked"),  # done by them, about someone else
    ])  # fmt: skip


# --- The coordinators' pool access record -------------------------------------------------------
def test_the_pool_access_record_shows_the_filters_as_the_form_does(client, coordinator, settings):
    settings.ACOMPANA_AUDIT_LOG_DAYS = 321
    audit.record_many(action="pool.viewed", actor=coordinator, people=[],
                      detail={"filters": {"language": "es", "availability": "any",
                                          "page": 1}})  # fmt: skip
    login_with_mfa(client, coordinator)
    html = client.get(reverse("certificates:access_log")).content.decode()
    form = pool.PoolFilter()
    spanish = dict(pool.spoken_languages())["es"]
    assert f'data-filter="language">{form.fields["language"].label}: {spanish}<' in html
    assert f'data-filter="page">{pool.FILTER_LABELS["page"]}: 1<' in html
    assert "language: es" not in html and "page: 1" not in html
    assert 'id="pool-log-intro"' in html and "321" in html
