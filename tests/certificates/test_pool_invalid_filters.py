"""Filters in error on /pool/ and /pool/log/: what to correct, never a count of nobody, an export
button or "nothing matches"; exports refuse them too; any `page=` value opens a page (issue 15,
walkthrough)."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from certificates.models import PoolExport
from tests.conftest import login_with_mfa
from training import audit
from training.factories import UserFactory
from training.models import AuditEntry
from training.roles import Role

from .pool_factories import pool_person, pool_track

pytestmark = pytest.mark.django_db
POOL, LOG = "certificates:pool_list", "certificates:access_log"
EXPORTS = ["certificates:export_csv", "certificates:export_json", "certificates:export_xlsx"]
INVALID = [{"language": "zz"}, {"min_hours": "abc"}, {"min_hours": "500"},
           {"expires_before": "tomorrow"}, {"tz_from": "99"}]  # fmt: skip


@pytest.fixture
def coord(client):
    coordinator = UserFactory(display_name="Coord Ana", roles=[Role.COORDINATOR])
    login_with_mfa(client, coordinator)
    return coordinator


@pytest.fixture
def track(db):
    return pool_track()


@pytest.mark.parametrize("params", INVALID)
def test_a_pool_filter_in_error_shows_no_count_and_no_exports(client, coord, track, params):
    pool_person(track, name="Valentina", languages=[("es", "native")])
    response = client.get(reverse(POOL), params)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'class="field has-error"' in body  # the field says what is wrong
    assert "Correct the filters above" in body
    assert "0 people" not in body and "Nobody matches these filters." not in body
    assert "Export CSV" not in body and "Prepare a spreadsheet" not in body
    assert not any(reverse(name) in body for name in EXPORTS)
    assert "Valentina" not in body
    # Valid filters: the count and the exports are back.
    body = client.get(reverse(POOL), {"availability": "any"}).content.decode()
    assert "1 person" in body and "Export CSV" in body and "Correct the filters" not in body


@pytest.mark.parametrize("name", EXPORTS)
@pytest.mark.parametrize("params", INVALID)
def test_exports_refuse_a_filter_in_error(client, coord, track, name, params):
    pool_person(track, name="Valentina", languages=[("es", "native")])
    response = client.post(reverse(name), params, follow=True)
    assert response.redirect_chain[-1][0] == reverse(POOL)
    messages = [str(message) for message in response.context["messages"]]
    assert "Check the filters before exporting." in messages
    assert not AuditEntry.objects.filter(action__startswith="pool.export").exists()
    assert not PoolExport.objects.exists()


def test_a_from_date_after_the_to_date_says_so(client, coord):
    AuditEntry.objects.create(action="pool.viewed", actor=coord, detail={"filters": {}},
                              at=datetime(2026, 3, 2, 15, 0, tzinfo=UTC))  # fmt: skip
    response = client.get(reverse(LOG), {"date_from": "2026-03-05", "date_to": "2026-03-01"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "The end date is before the start date." in body
    assert 'id="id_date_to_error"' in body
    assert "Nothing matches these filters." not in body and "0 entries" not in body
    assert "data-entry=" not in body


@pytest.mark.parametrize("value", ["abc", "99999", "0", "-1", "1.5", ""])
def test_any_page_value_opens_a_page_of_the_pool_and_of_its_record(client, coord, track, value):
    for number in range(3):
        pool_person(track, name=f"Person {number}")
    for _number in range(3):
        audit.record(action="pool.viewed", actor=coord, detail={"filters": {}})
    last_of = {"99999": "last"}
    for url in (reverse(POOL), reverse(LOG)):
        response = client.get(url, {"page": value})
        assert response.status_code == 200, (url, value)
        page = response.context["page"]
        expected = page.paginator.num_pages if last_of.get(value) else 1
        assert page.number == expected, (url, value, page.number)
        assert len(page.object_list) > 0
