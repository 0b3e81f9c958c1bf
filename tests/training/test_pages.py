"""Home, dashboard, error pages and the health check."""

import json
from pathlib import Path

import pytest
import redis
from django.contrib.auth.hashers import make_password
from django.db import OperationalError, connection
from django.db import connection as default_connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import skip_or_fail
from training.models import User

pytestmark = pytest.mark.django_db


def test_home_page_explains_the_programme_and_leads_in(client):
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Acompaña" in body
    assert reverse("account_signup") in body
    assert "<title>Acompaña</title>" in body


def test_dashboard_has_honest_empty_states(client, volunteer):
    client.force_login(volunteer)
    body = client.get(reverse("dashboard")).content.decode()
    assert "You are not in a cohort yet" in body
    assert "You have not started a course yet" in body
    assert volunteer.email not in body


def test_404_is_friendly_and_translated(client):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 404
    assert "No encontramos esa página" in response.content.decode()


def test_403_is_friendly(client, volunteer):
    client.force_login(volunteer)
    response = client.get(reverse("trainer_desk"))
    assert response.status_code == 403
    assert "This page is not open to you" in response.content.decode()


def test_healthz_is_503_json_when_the_database_does_not_answer(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("database is down")

    monkeypatch.setattr(default_connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["database"] == "unavailable"


def test_500_page_renders_without_a_database_or_context():
    html = render_to_string("500.html")
    assert "Something went wrong" in html


def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["database"] == "ok"
    assert data["broker"] == "eager"


def test_healthz_is_503_when_the_broker_does_not_answer(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content) == {
        "status": "unavailable",
        "database": "ok",
        "broker": "unavailable",
    }


@pytest.mark.integration
def test_healthz_reaches_the_real_broker(client, settings):
    try:
        redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=2).ping()
    except redis.RedisError:
        skip_or_fail(f"Redis does not answer at {settings.CELERY_BROKER_URL}")
    settings.CELERY_TASK_ALWAYS_EAGER = False
    response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content)["broker"] == "ok"


def _add_people(start, stop):
    hashed = make_password("x")
    User.objects.bulk_create(
        [
            User(email=f"p{i}@example.org", display_name=f"P{i}", password=hashed)
            for i in range(start, stop)
        ],
        batch_size=2000,
    )


def _dashboard_queries(client, user):
    client.force_login(user)
    # Warm: what is cached in the process (locales, sites: training.routing) is read once.
    client.get(reverse("dashboard"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("dashboard")).status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["volunteer", "trainer"])
def test_dashboard_query_count_does_not_grow_with_people(client, request, who):
    user = request.getfixturevalue(who)
    _add_people(0, 10)
    small = _dashboard_queries(client, user)
    _add_people(10, 10_000)
    assert User.objects.count() >= 10_000
    large = _dashboard_queries(client, user)
    assert small == large, f"{small} queries with 10 people, {large} with 10,000"
    # The sections: learning (courses) and cohorts (memberships, applications).
    assert large <= 10


def test_uploaded_media_is_served(client, settings):
    """Image renditions, from MEDIA_ROOT as it is when asked (tests/training/test_private_files.py
    shows that nothing private is)."""
    root = Path(settings.MEDIA_ROOT) / "images"
    root.mkdir(parents=True, exist_ok=True)
    (root / "hello.txt").write_text("hola")
    response = client.get("/media/images/hello.txt")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"hola"
