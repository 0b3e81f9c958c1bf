"""The read-only pool API (/api/v1/responders/) and its tokens; query counts of the pool's pages
with 10 and 10,000 members."""

import re
import types
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certificates import api
from certificates.models import ApiToken, PoolMember, token_hash
from certificates.pool import reference
from tests.audit import pool_entries, sent, sent_ids
from tests.conftest import login_with_mfa
from training import ratelimit
from training.deletion import account_deletion_cancel, account_deletion_request
from training.factories import UserFactory
from training.roles import Role
from training.services import user_set_roles

from .pool_factories import BOGOTA, JAKARTA, KOLKATA, bulk_pool, pool_person, pool_track

pytestmark = pytest.mark.django_db
URL = "/api/v1/responders/"


@pytest.fixture
def track(db):
    return pool_track()


@pytest.fixture
def secret(coordinator):
    _token, secret = api.token_create(user=coordinator, name="Zammad")
    return secret


def call(client, secret=None, scheme="Bearer", **params):
    headers = {"HTTP_AUTHORIZATION": f"{scheme} {secret}"} if secret is not None else {}
    return client.get(URL, params, **headers)


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["display_name"] for item in response.json()["results"]]


def test_the_address():
    assert reverse("certificates:api_responders") == URL


# --- Authentication -----------------------------------------------------------------------------
def _refused(response):
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "error" in response.json()
    assert "results" not in response.json()


def test_no_token_no_answer(client, track):
    pool_person(track, name="Someone")
    _refused(client.get(URL))
    assert not pool_entries().exists()


@pytest.mark.parametrize(("scheme", "value"), [
    ("Bearer", "acp_wrong"), ("Bearer", ""), ("Basic", "SECRET"), ("Bearer", "SECRET-extra"),
    ("", "SECRET"),
])  # fmt: skip
def test_a_wrong_token_gets_401(client, track, secret, scheme, value):
    pool_person(track, name="Someone")
    value = value.replace("SECRET", secret)
    header = f"{scheme} {value}" if scheme else value
    _refused(client.get(URL, HTTP_AUTHORIZATION=header))
    assert not pool_entries().exists()


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "Token"])
def test_a_coordinators_token_opens_the_api(client, track, secret, scheme):
    pool_person(track, name="Someone")
    assert names(call(client, secret, scheme=scheme)) == ["Someone"]


def test_a_revoked_token_gets_401(client, coordinator, track, secret):
    pool_person(track, name="Someone")
    assert call(client, secret).status_code == 200
    token = ApiToken.objects.get(key_hash=token_hash(secret))

    login_with_mfa(client, coordinator)
    response = client.post(reverse("certificates:token_revoke", args=[token.pk]),
                           {"confirm": "yes"})  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == reverse("certificates:tokens")
    token.refresh_from_db()
    assert token.revoked_at is not None
    client.logout()

    _refused(call(client, secret))
    assert pool_entries().count() == 1  # only the call before the revocation
    # Revoking is a POST.
    login_with_mfa(client, coordinator)
    assert client.get(reverse("certificates:token_revoke", args=[token.pk])).status_code == 405


def test_a_coordinator_cannot_revoke_someone_elses_token(client, secret):
    token = ApiToken.objects.get(key_hash=token_hash(secret))
    other = UserFactory(display_name="Other coordinator", roles=[Role.COORDINATOR])
    login_with_mfa(client, other)
    url = reverse("certificates:token_revoke", args=[token.pk])
    assert client.post(url).status_code == 404
    assert client.post(url, {"confirm": "yes"}).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoking_a_token_asks_for_confirmation_first(client, coordinator, track, secret):
    token = ApiToken.objects.get(key_hash=token_hash(secret))
    login_with_mfa(client, coordinator)
    listing = client.get(reverse("certificates:tokens")).content.decode()
    assert "Revoke…" in listing
    url = reverse("certificates:token_revoke", args=[token.pk])

    # The first step (no JavaScript needed) names the token and what will happen.
    response = client.post(url)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "Revoke this token?" in html
    assert token.name in html and f"{token.prefix}…" in html
    assert "cannot be undone" in html and 'name="confirm" value="yes"' in html
    token.refresh_from_db()
    assert token.revoked_at is None
    client.logout()
    assert call(client, secret).status_code == 200  # still works

    login_with_mfa(client, coordinator)
    assert client.post(url, {"confirm": "yes"}).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    # Asking again says so and changes nothing.
    again = client.post(url, follow=True)
    assert "already revoked" in again.content.decode()


def test_the_token_of_someone_no_longer_a_coordinator_gets_401(client, coordinator, track, secret):
    pool_person(track, name="Someone")
    assert call(client, secret).status_code == 200
    user_set_roles(user=coordinator, roles=(Role.TRAINER,))
    _refused(call(client, secret))
    user_set_roles(user=coordinator, roles=(Role.COORDINATOR,))
    assert call(client, secret).status_code == 200


def test_the_token_of_a_deactivated_account_gets_401(client, coordinator, track, secret):
    pool_person(track, name="Someone")
    coordinator.is_active = False
    coordinator.save()
    _refused(call(client, secret))


def test_the_token_of_someone_who_asked_to_delete_their_account_gets_401(
    client, coordinator, track, secret
):
    """Signed out everywhere at once: a bearer token stops too, for the whole grace period."""
    pool_person(track, name="Someone")
    assert call(client, secret).status_code == 200
    account_deletion_request(person=coordinator, by=coordinator)
    _refused(call(client, secret))
    account_deletion_cancel(person=coordinator)  # signing in again during the grace period
    assert call(client, secret).status_code == 200


def test_a_volunteers_token_gets_401(client, volunteer, track):
    pool_person(track, name="Someone")
    _token, secret = api.token_create(user=volunteer, name="Sneaky")
    _refused(call(client, secret))


def test_the_api_is_read_only(client, secret):
    response = client.post(URL, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 405


# --- Tokens -------------------------------------------------------------------------------------
def test_a_token_is_shown_once_and_stored_hashed(client, coordinator):
    login_with_mfa(client, coordinator)
    response = client.post(reverse("certificates:tokens"), {"name": "Zammad helpdesk"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    match = re.search(r"acp_[A-Za-z0-9_\-]{20,}", html)
    assert match, "the new token is shown"
    secret = match.group(0)
    assert response.context["created"] == secret

    token = ApiToken.objects.get()
    assert (token.user, token.name) == (coordinator, "Zammad helpdesk")
    assert token.key_hash == token_hash(secret) and len(token.key_hash) == 64
    assert token.prefix == secret[4:12]
    for value in ApiToken.objects.values_list().get():
        assert secret not in str(value)
        assert secret[12:] not in str(value)

    again = client.get(reverse("certificates:tokens")).content.decode()
    assert secret not in again
    assert "Zammad helpdesk" in again and token.prefix in again

    # It works, and using it does not store it either.
    client.logout()
    assert call(client, secret).status_code == 200
    for value in ApiToken.objects.values_list().get():
        assert secret not in str(value)
    access = pool_entries().get()
    assert secret not in str(access.detail)


def test_each_coordinator_sees_only_their_tokens(client, coordinator):
    api.token_create(user=coordinator, name="Mine")
    other = UserFactory(display_name="Other coordinator", roles=[Role.COORDINATOR])
    api.token_create(user=other, name="Theirs")
    login_with_mfa(client, coordinator)
    html = client.get(reverse("certificates:tokens")).content.decode()
    assert "Mine" in html and "Theirs" not in html


def test_a_token_needs_a_name(client, coordinator):
    login_with_mfa(client, coordinator)
    response = client.post(reverse("certificates:tokens"), {"name": ""})
    assert response.status_code == 200
    assert response.context["created"] is None
    assert not ApiToken.objects.exists()


# --- Answers ------------------------------------------------------------------------------------
def test_only_shared_fields_are_answered(client, track, secret):
    open_member = pool_person(
        track, name="Open", email="open@example.org", languages=[("es", "native")],
        region="Andes", time_zone=BOGOTA, focus_areas=["harassment"], channels=["chat"],
        hours_per_week=5, contact_phone="+57 300", contact_other="signal:open",
        share_email=True, share_phone=True, share_other=True,
    )  # fmt: skip
    private = pool_person(
        track, name="Private", email="private@example.org", languages=[("es", "fluent")],
        region="Hidden", time_zone=KOLKATA, focus_areas=["documentation"], channels=["phone"],
        hours_per_week=9, contact_phone="+91 1", contact_other="x", share_languages=False,
        share_region=False, share_time_zone=False, share_focus_areas=False,
        share_channels=False, share_availability=False, share_email=False,
        share_phone=False, share_other=False,
    )  # fmt: skip
    response = call(client, secret)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    results = {item["display_name"]: item for item in response.json()["results"]}
    assert results["Open"] == {
        "id": reference(open_member.user_id), "display_name": "Open",
        "languages": [{"code": "es", "level": "native"}], "region": "Andes",
        "time_zone": BOGOTA, "focus_areas": ["harassment"], "channels": ["chat"],
        "availability": "available", "hours_per_week": 5,
        "certified_until": results["Open"]["certified_until"], "email": "open@example.org",
        "phone": "+57 300", "other_contact": "signal:open",
    }  # fmt: skip
    assert results["Private"] == {
        "id": reference(private.user_id), "display_name": "Private", "languages": None,
        "region": None, "time_zone": None, "focus_areas": None, "channels": None,
        "availability": "available", "hours_per_week": None,
        "certified_until": results["Private"]["certified_until"], "email": None, "phone": None,
        "other_contact": None,
    }  # fmt: skip
    body = response.content.decode()
    for secret_value in ("private@example.org", "Hidden", "+91 1", "Kolkata", "documentation"):
        assert secret_value not in body
    assert str(private.user_id) != results["Private"]["id"]


def test_filters(client, track, secret):
    today = timezone.localdate()
    pool_person(track, name="Ana", languages=[("es", "native")], time_zone=BOGOTA,
                focus_areas=["harassment"], hours_per_week=10, days_left=30)  # fmt: skip
    pool_person(track, name="Bea", languages=[("es", "native")], time_zone=JAKARTA,
                hours_per_week=2, share_languages=False)  # fmt: skip
    pool_person(track, name="Cai", languages=[("en", "native")], time_zone=KOLKATA,
                focus_areas=["harassment"], status=PoolMember.Status.PAUSED)  # fmt: skip
    pool_person(track, name="Dan", status=PoolMember.Status.LEFT, languages=[("es", "native")])

    assert names(call(client, secret)) == ["Ana", "Bea"]
    assert names(call(client, secret, availability="any")) == ["Ana", "Bea", "Cai"]
    assert names(call(client, secret, language="es", availability="any")) == ["Ana"]
    assert names(call(client, secret, focus="harassment", availability="any")) == ["Ana", "Cai"]
    assert names(call(client, secret, tz_from=5, tz_to=8, availability="any")) == ["Bea", "Cai"]
    assert names(call(client, secret, tz_from=-5, tz_to=-5)) == ["Ana"]
    assert names(call(client, secret, min_hours=5)) == ["Ana"]
    soon = (today + timedelta(days=60)).isoformat()
    assert names(call(client, secret, expires_before=soon)) == ["Ana"]


@pytest.mark.parametrize("params", [
    {"tz_from": 5, "tz_to": 15}, {"language": "xx"}, {"min_hours": "lots"},
    {"expires_before": "tomorrow"}, {"limit": "ten"}, {"offset": "1.5"},
    {"limit": 99999}, {"limit": 201}, {"limit": 0}, {"limit": -4}, {"offset": -3},
    {"offset": 10**10},
])  # fmt: skip
def test_invalid_parameters_get_400(client, track, secret, params):
    pool_person(track, name="Someone")
    response = call(client, secret, **params)
    assert response.status_code == 400
    assert "error" in response.json()
    assert not pool_entries().exists()


def test_pagination(client, track, secret):
    for letter in "ABCDEFG":
        pool_person(track, name=f"Person {letter}")
    first = call(client, secret, limit=3).json()
    assert (first["count"], first["limit"], first["offset"], first["next_offset"]) == (7, 3, 0, 3)
    second = call(client, secret, limit=3, offset=first["next_offset"]).json()
    third = call(client, secret, limit=3, offset=second["next_offset"]).json()
    assert (second["next_offset"], third["next_offset"]) == (6, None)
    seen = [item["display_name"] for page in (first, second, third) for item in page["results"]]
    assert seen == [f"Person {letter}" for letter in "ABCDEFG"]
    beyond = call(client, secret, offset=50).json()
    assert beyond["results"] == [] and beyond["next_offset"] is None and beyond["count"] == 7
    default = call(client, secret).json()
    assert default["limit"] == 50 and len(default["results"]) == 7
    assert call(client, secret, limit=1).json()["limit"] == 1
    assert call(client, secret, limit=200).json()["limit"] == 200


def test_at_most_200_a_page(client, track, secret):
    bulk_pool(track, 250)
    page = call(client, secret, limit=200).json()
    assert page["limit"] == 200 and len(page["results"]) == 200
    assert (page["count"], page["next_offset"]) == (250, 200)
    rest = call(client, secret, limit=200, offset=200).json()
    assert len(rest["results"]) == 50 and rest["next_offset"] is None
    ids = {item["id"] for item in page["results"]} | {item["id"] for item in rest["results"]}
    assert len(ids) == 250


def test_a_limit_beyond_the_maximum_is_refused_not_clamped(client, track, secret):
    """A helpdesk asking for 99999 rows and silently getting 200 would believe it has them all."""
    bulk_pool(track, 3)
    response = call(client, secret, limit=99999)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["max_limit"] == 200 and "between 1 and 200" in body["error"]
    assert "results" not in body
    assert not pool_entries().exists()  # nobody was read
    assert call(client, secret, limit=200).status_code == 200


def test_every_call_is_recorded_with_its_token(client, coordinator, track, secret):
    for letter in "ABCDE":
        pool_person(track, name=f"Person {letter}", languages=[("es", "native")])
    token = ApiToken.objects.get(key_hash=token_hash(secret))
    assert token.last_used_at is None
    call(client, secret, language="es", limit=2, offset=1)
    call(client, secret, offset=4)

    entries = list(pool_entries())
    # The token's id and prefix, never its name (free text, kept after its owner is deleted).
    zammad = {"id": token.pk, "prefix": token.prefix}
    rows = [(e.actor, e.detail["token"], e.action, e.detail["filters"], sent(e)) for e in entries]
    assert rows == [
        (coordinator, zammad, "pool.api", {"language": "es", "offset": 1, "limit": 2}, 2),
        (coordinator, zammad, "pool.api", {"offset": 4, "limit": 50}, 1),
    ]  # fmt: skip
    # Who each call sent: Spanish speakers B and C, then E (the fifth).
    by_name = dict(PoolMember.objects.values_list("user__display_name", "user_id"))
    assert sent_ids(entries[0]) == {by_name["Person B"], by_name["Person C"]}
    assert sent_ids(entries[1]) == {by_name["Person E"]}
    token.refresh_from_db()
    assert token.last_used_at is not None

    login_with_mfa(client, coordinator)
    html = client.get(reverse("certificates:access_log")).content.decode()
    tbody = html[html.index("<tbody>") : html.index("</tbody>")]
    assert tbody.count("data-entry=") == 2
    assert "API" in tbody and 'data-filter="language"' in tbody
    # The token by its prefix, never its name (free text kept after its owner is deleted).
    assert f"{token.prefix}…" in tbody and "Zammad" not in tbody


def test_the_rate_limit(client, settings, track, secret, coordinator, monkeypatch):
    pool_person(track, name="Someone")
    settings.ACOMPANA_API_RATE = 3
    now = [datetime(2026, 3, 2, 10, 0, 5, tzinfo=UTC)]
    monkeypatch.setattr(ratelimit, "timezone", types.SimpleNamespace(now=lambda: now[0]))

    assert [call(client, secret).status_code for _ in range(3)] == [200, 200, 200]
    limited = call(client, secret)
    assert limited.status_code == 429
    assert "error" in limited.json() and "results" not in limited.json()
    assert pool_entries().count() == 3  # the refused call read nothing

    # Another token has its own allowance.
    _other, other_secret = api.token_create(user=coordinator, name="Second")
    assert call(client, other_secret).status_code == 200

    now[0] += timedelta(seconds=60)  # the next minute
    assert call(client, secret).status_code == 200


def test_a_wrong_token_does_not_use_up_a_real_ones_allowance(client, settings, track, secret):
    pool_person(track, name="Someone")
    settings.ACOMPANA_API_RATE = 2
    for _attempt in range(5):
        assert call(client, "acp_guess").status_code == 401
    assert call(client, secret).status_code == 200


# --- Query counts -------------------------------------------------------------------------------
def _queries(request):
    with CaptureQueriesContext(connection) as context:
        response = request()
    assert response.status_code == 200
    return len(context.captured_queries), response


def test_the_pool_page_and_the_api_keep_their_query_count_from_10_to_10000(
    client, coordinator, track, secret
):
    api_client = client.__class__()
    login_with_mfa(client, coordinator)
    pool_page = reverse("certificates:pool_list")

    def page():
        return client.get(pool_page, {"language": "es"})

    def page_two():
        return client.get(pool_page, {"language": "es", "page": 2})

    def answer():
        return call(api_client, secret, language="es", limit=200)

    bulk_pool(track, 10, prefix="few")
    for request in (page, answer):
        request()  # warm up (content types, the session)
    small_page, response = _queries(page)
    assert response.context["page"].paginator.count == 10 and len(response.context["rows"]) == 10
    small_api, response = _queries(answer)
    assert response.json()["count"] == 10

    bulk_pool(track, 9990, prefix="many")
    large_page, response = _queries(page)
    assert response.context["page"].paginator.count == 10000
    assert len(response.context["rows"]) == 50
    large_page_two, response = _queries(page_two)
    assert len(response.context["rows"]) == 50
    large_api, response = _queries(answer)
    assert response.json()["count"] == 10000 and len(response.json()["results"]) == 200

    assert large_page == small_page
    assert large_page_two == small_page
    assert large_api == small_api
    assert small_page < 20 and small_api < 12
