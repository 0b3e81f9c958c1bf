"""Error reports (Sentry) carry no secret and nothing personal: an error inside a request to a URL
that holds a token, sent to a transport that keeps the events instead of sending them."""

import json
import logging

import pytest
import sentry_sdk
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from sentry_sdk.transport import Transport

from training.logging import SENTRY_HEADERS, sentry_options

TOKEN = "calendartoken0123456789abcdef"
KEY = "resetkey0123456789"
BODY = "bodysecret0123456789"
COOKIE = "cookiesecret0123456789"
BEARER = "bearersecret0123456789"
SECRETS = (TOKEN, KEY, BODY, COOKIE, BEARER)

logger = logging.getLogger("acompana.test_sentry")


@csrf_exempt
def feed(request, token):
    held_in_a_local_variable = f"{token}-{request.POST.get('password')}"  # noqa: F841
    logger.warning("calendar feed asked: /calendar/%s.ics", token)  # a breadcrumb
    raise RuntimeError(f"no feed at /calendar/{token}.ics?key={request.GET['key']}")


def ok(request):
    return HttpResponse("ok")


urlpatterns = [path("calendar/<str:token>.ics", feed), path("ok/", ok)]


class Capture(Transport):
    def __init__(self, options=None):
        super().__init__(options)
        self.events = []

    def capture_envelope(self, envelope):
        event = envelope.get_event()
        if event is not None:
            self.events.append(event)


@pytest.fixture
def captured():
    """Sentry initialised with the project's options, events kept in a list; the client before
    it (none, in tests) restored after."""
    scope = sentry_sdk.get_global_scope()
    previous = scope.client
    transport = Capture()
    sentry_sdk.init(**sentry_options("https://public@127.0.0.1:9/1"), transport=transport)
    try:
        yield transport.events
    finally:
        sentry_sdk.get_client().close()
        scope.set_client(previous)


def _served(request):
    """`request` (a RequestFactory one) through Django's WSGI handler, as gunicorn calls it:
    Sentry reads the request's URL and headers there (the test client skips it). As the test
    client does, the database connection is kept across the request (the test's transaction)."""
    status = []
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        body = WSGIHandler()(request.environ, lambda code, headers, *exc: status.append(code))
        b"".join(body)
        body.close()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    return int(status[0].split()[0])


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_an_error_report_holds_no_token_no_local_variables_and_no_body(captured):
    factory = RequestFactory()
    assert _served(factory.get("/ok/")) == 200  # a request before: its log lines are breadcrumbs
    request = factory.post(
        f"/calendar/{TOKEN}.ics?key={KEY}&lang=es",
        data={"password": BODY},
        HTTP_COOKIE=f"sessionid={COOKIE}",
        HTTP_AUTHORIZATION=f"Bearer {BEARER}",
        HTTP_REFERER=f"https://example.org/calendar/{TOKEN}.ics",
        HTTP_X_REQUEST_ID="request-id-for-sentry",
        HTTP_USER_AGENT="test-agent",
    )
    assert _served(request) == 500
    sentry_sdk.flush()

    reports = [e for e in captured if e.get("exception")]
    assert reports, captured
    sent = json.dumps(captured)
    for secret in SECRETS:
        assert secret not in sent, secret
    event = reports[0]
    request = event["request"]
    assert request["url"].endswith("/calendar/[redacted]")
    assert request["query_string"] == "key=[redacted]&lang=es"
    assert set(request) <= {"method", "url", "query_string", "headers"}  # no data, cookies, env
    assert {name.lower() for name in request["headers"]} <= SENTRY_HEADERS
    assert request["headers"].get("User-Agent") == "test-agent"
    (error,) = [e for e in event["exception"]["values"] if e["type"] == "RuntimeError"]
    assert error["value"] == "no feed at /calendar/[redacted]?key=[redacted]"
    frames = [f for e in event["exception"]["values"] for f in e["stacktrace"]["frames"]]
    assert frames and not any("vars" in frame for frame in frames)
    crumbs = event["breadcrumbs"]["values"]
    assert "calendar feed asked: /calendar/[redacted]" in [c.get("message") for c in crumbs]
    assert event["tags"]["request_id"] == "request-id-for-sentry"


def test_the_options_send_nothing_personal():
    options = sentry_options("https://public@127.0.0.1:9/1")
    assert options["send_default_pii"] is False
    assert options["include_local_variables"] is False
    assert options["max_request_body_size"] == "never"
    assert options["traces_sample_rate"] == 0.0
