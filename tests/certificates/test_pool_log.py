"""/pool/log/, the coordinators' access record: paginated, filtered by what, who and when (days in
the viewer's zone), an invalid filter answered with a message, and each entry naming the people
it included (display name and export reference, never an email address)."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from certificates.pool import reference
from tests.conftest import login_with_mfa
from training import audit
from training.factories import UserFactory
from training.models import AuditEntry, AuditSubject, User
from training.roles import Role

from .pool_factories import bulk_pool, pool_person, pool_track

pytestmark = pytest.mark.django_db
LOG = "certificates:access_log"


@pytest.fixture
def coord(client):
    coordinator = UserFactory(display_name="Coord Ana", roles=[Role.COORDINATOR],
                              time_zone="America/Bogota")  # fmt: skip
    login_with_mfa(client, coordinator)
    return coordinator


def _entry(action, actor, at, people=()):
    entry = AuditEntry.objects.create(action=action, actor=actor, at=at, count=len(people),
                                      detail={"filters": {}})  # fmt: skip
    audit.add_subjects(entry, people)
    return entry


def _shown(client, **params) -> list[int]:
    response = client.get(reverse(LOG), params)
    assert response.status_code == 200
    return [entry.pk for entry in response.context["page"]]


def test_the_log_is_filtered_by_what_who_whom_and_when(client, coord):
    other = UserFactory(display_name="Beto", roles=[Role.COORDINATOR])
    valentina = UserFactory(display_name="Valentina")
    # 03:00 UTC on 2 March is still 1 March (22:00) in Bogotá, the viewer's zone.
    late = _entry("pool.export_csv", coord, datetime(2026, 3, 2, 3, 0, tzinfo=UTC), [valentina.pk])
    api = _entry("pool.api", other, datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    viewed = _entry("pool.viewed", other, datetime(2026, 3, 5, 15, 0, tzinfo=UTC))
    audit.record(action="certificate.revoked", actor=coord, subject=valentina)  # not the pool's

    assert _shown(client) == [viewed.pk, api.pk, late.pk]
    assert _shown(client, action="pool.export_csv") == [late.pk]
    assert _shown(client, actor="beto") == [viewed.pk, api.pk]
    assert _shown(client, actor=f"#{coord.pk}") == [late.pk]
    assert _shown(client, person="Valent") == [late.pk]
    assert _shown(client, date_to="2026-03-01") == [late.pk]
    assert _shown(client, date_from="2026-03-02", date_to="2026-03-02") == [api.pk]
    assert _shown(client, date_from="2026-03-03") == [viewed.pk]
    assert _shown(client, action="pool.api", actor="Beto", date_from="2026-03-02") == [api.pk]
    html = client.get(reverse(LOG), {"action": "pool.api"}).content.decode()
    assert 'for="id_action"' in html and 'for="id_date_from"' in html  # labelled inputs
    # The record keeps its filters when paging.
    assert "Nothing matches these filters." in client.get(
        reverse(LOG), {"actor": "nobody at all"}).content.decode()  # fmt: skip


@pytest.mark.parametrize("params", [
    {"action": "certificate.revoked"}, {"action": "bogus"}, {"date_from": "yesterday"},
    {"date_from": "2026-03-05", "date_to": "2026-03-01"}, {"date_to": "9999-12-31"},
])  # fmt: skip
def test_an_invalid_filter_gets_a_message_and_shows_nothing(client, coord, params):
    _entry("pool.export_csv", coord, datetime(2026, 3, 2, 3, 0, tzinfo=UTC))
    response = client.get(reverse(LOG), params)
    assert response.status_code == 200
    assert list(response.context["page"]) == []
    messages = [str(message) for message in response.context["messages"]]
    assert messages == ["Check the filters: the record is not shown until they are corrected."]
    assert 'class="error"' in response.content.decode()


def test_each_entry_names_who_was_included(client, coord):
    track = pool_track()
    ana = pool_person(
        track,
        name="Ana",
        email="ana.secret@example.org",
        share_email=True,
        share_phone=True,
        share_other=True,
    )
    bea = pool_person(track, name="Bea", email="bea.secret@example.org")
    response = client.post(reverse("certificates:export_csv"))
    b"".join(response.streaming_content)
    entry = AuditEntry.objects.get(action="pool.export_csv")
    former = UserFactory(display_name="Soon gone")
    audit.add_subjects(entry, [former.pk])
    User.objects.filter(pk=former.pk).update(anonymised_at=datetime(2026, 3, 1, tzinfo=UTC))

    log = client.get(reverse(LOG)).content.decode()
    link = reverse("certificates:access_log_entry", args=[entry.pk])
    assert f'href="{link}"' in log

    page = client.get(link)
    assert page.status_code == 200
    html = page.content.decode()
    for member in (ana, bea):
        assert member.user.display_name in html and reference(member.user_id) in html
    assert f"Former member #{former.pk}" in html and "Soon gone" not in html
    assert "secret@example.org" not in html  # who, never their addresses
    assert "Coord Ana" in html and "Exported the responder pool (CSV)" in html


def test_opening_who_an_entry_included_is_itself_recorded(client, coord):
    """The list of who an export included shows names: opening it is recorded like a page of the
    pool (who looked, when, at whom), and listed in the record itself."""
    track = pool_track()
    people = [pool_person(track, name=name).user_id for name in ("Ana", "Bea", "Caro")]
    entry = audit.record_many(action="pool.export_csv", people=people, actor=coord)
    url = reverse("certificates:access_log_entry", args=[entry.pk])

    assert client.get(url).status_code == 200
    (opened,) = AuditEntry.objects.filter(action="pool.log_entry_viewed")
    assert opened.actor == coord and opened.count == 3
    assert opened.detail == {"log_entry": entry.pk, "filters": {"page": 1}}
    assert set(opened.subjects.values_list("person_id", flat=True)) == set(people)

    log = client.get(reverse(LOG)).content.decode()
    assert f'data-entry="{opened.pk}"' in log
    assert escape(str(audit.ACTIONS["pool.log_entry_viewed"])) in log
    # Opening the list of who *that* look included is recorded in its turn.
    assert client.get(reverse("certificates:access_log_entry", args=[opened.pk])).status_code == 200
    assert AuditEntry.objects.filter(action="pool.log_entry_viewed").count() == 2


def test_who_was_included_is_for_coordinators_and_pool_entries_only(client, coord, volunteer):
    entry = audit.record_many(action="pool.viewed", people=[volunteer.pk], actor=coord)
    other = audit.record(action="certificate.revoked", actor=coord, subject=volunteer)
    assert client.get(reverse("certificates:access_log_entry", args=[other.pk])).status_code == 404
    login_with_mfa(client, volunteer)
    url = reverse("certificates:access_log_entry", args=[entry.pk])
    assert client.get(url).status_code == 403


def test_the_log_and_its_people_keep_their_query_count(client, coord):
    track = pool_track()

    def grow(number, people):
        entries = AuditEntry.objects.bulk_create(
            [AuditEntry(action="pool.export_csv", actor=coord, count=len(people),
                        detail={"filters": {"language": "es"}}) for _ in range(number)]
        )  # fmt: skip
        AuditSubject.objects.bulk_create(
            [AuditSubject(entry=entry, person_id=pk) for entry in entries for pk in people]
        )
        return entries

    def queries(url, params):
        client.get(url, params)  # warm up
        with CaptureQueriesContext(connection) as context:
            response = client.get(url, params)
        assert response.status_code == 200
        return len(context.captured_queries), response

    few = bulk_pool(track, 10, prefix="few")
    first = grow(10, few)[0]
    log = reverse(LOG)
    who = reverse("certificates:access_log_entry", args=[first.pk])
    params = {"action": "pool.export_csv", "actor": "Coord", "person": "few"}
    small_log, response = queries(log, params)
    assert len(response.context["page"]) == 10
    small_who, response = queries(who, {})
    assert len(response.context["people"]) == 10

    many = bulk_pool(track, 300, prefix="many")
    grow(250, few + many)
    AuditSubject.objects.bulk_create([AuditSubject(entry=first, person_id=pk) for pk in many])
    large_log, response = queries(log, params)
    assert response.context["page"].paginator.count == 260
    assert len(response.context["page"]) == 100
    large_who, response = queries(who, {"page": 2})
    assert response.context["page"].paginator.count == 310
    assert len(response.context["people"]) == 100

    assert large_log == small_log and large_who == small_who
    assert small_log < 20 and small_who < 20
