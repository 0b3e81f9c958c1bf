"""Request ids on every log line, JSON logs in production, and optional error reporting.

Each request gets an id: the X-Request-ID header the proxy (deploy/Caddyfile) sets, when it is
a plausible one, or a new random one. It is on every log line written while the request runs
(`RequestIdFilter` adds `request_id` to each record), it goes back to the client in the
X-Request-ID response header, and it travels with every Celery task queued during the request
(a message header, `HEADER`), so that the worker's lines about that task carry it too: one id
finds the proxy's access line, Django's lines and the worker's lines of one click.

Production writes its log lines as JSON objects, one a line (`JSON_FORMATTER`, python-json-logger),
for a log collector to read; development and tests keep plain lines. Secrets in URLs are still
redacted first (training.logs.RedactSecretsFilter runs on the handler, before any formatter).

Sentry (sentry-sdk) reports errors only when SENTRY_DSN is set (`init_sentry`).
"""

import logging
import re
import uuid
from contextvars import ContextVar

from celery.signals import before_task_publish, task_postrun, task_prerun
from django.core.signals import request_finished
from django.dispatch import receiver
from pythonjsonlogger.core import RESERVED_ATTRS

REQUEST_ID_HEADER = "X-Request-ID"
# The Celery message header that carries the id into the worker.
HEADER = "acompana_request_id"
# What a request id may look like when it comes from outside: the proxy's UUID, or another
# proxy's token; anything else (too long, spaces, quotes: a forged log line) is replaced.
_ACCEPTED = re.compile(r"[A-Za-z0-9._:-]{8,128}")

_request_id: ContextVar[str | None] = ContextVar("acompana_request_id", default=None)


def current_request_id() -> str | None:
    return _request_id.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """First in MIDDLEWARE: every later middleware's log lines (a refused size, an error) and
    the view's carry the id; the response names it in X-Request-ID."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = given if _ACCEPTED.fullmatch(given) else new_request_id()
        request.request_id = request_id
        # Kept until the response is closed (`_forget`): Django logs a 4xx or 5xx ("Not Found:
        # …") after the middleware chain has returned.
        _request_id.set(request_id)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


@receiver(request_finished, dispatch_uid="acompana-request-id-finished")
def _forget(**kwargs):
    _request_id.set(None)


class RequestIdFilter(logging.Filter):
    """On a handler: adds `request_id` (None outside a request or task) to every record."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get()
        return True


# --- Celery: the id goes with the task ---------------------------------------------------------
@before_task_publish.connect(dispatch_uid="acompana-request-id-publish")
def _add_request_id_header(headers=None, **kwargs):
    request_id = _request_id.get()
    if request_id and headers is not None and HEADER not in headers:
        headers[HEADER] = request_id


_task_tokens = {}


@task_prerun.connect(dispatch_uid="acompana-request-id-prerun")
def _enter_task(task_id=None, task=None, **kwargs):
    # Eager tasks (tests, `make run`) run inside the request: its id is already set.
    request_id = getattr(task.request, HEADER, None) if task is not None else None
    if request_id and _ACCEPTED.fullmatch(str(request_id)):
        _task_tokens[task_id] = _request_id.set(str(request_id))


@task_postrun.connect(dispatch_uid="acompana-request-id-postrun")
def _leave_task(task_id=None, **kwargs):
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        _request_id.reset(token)


# --- Production logging --------------------------------------------------------------------------
# One JSON object a line: time, level, logger, message, request id (and the traceback, if any),
# plus the `extra` values a logger adds, except two that would write what the message never
# shows: Django's `request` (its repr holds the unredacted path: a calendar token, a reset key)
# and Celery's `data` (a task's arguments).
JSON_FORMATTER = {
    "()": "pythonjsonlogger.json.JsonFormatter",
    "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
    "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
    "reserved_attrs": [*RESERVED_ATTRS, "request", "data"],
    "timestamp": False,
}


def json_logging(config: dict) -> dict:
    """settings.LOGGING with every console line written as JSON, each carrying the request id."""
    config = {**config}
    config["filters"] = {**config["filters"], "request_id": {"()": RequestIdFilter}}
    config["formatters"] = {**config["formatters"], "json": JSON_FORMATTER}
    handlers = {}
    for name, handler in config["handlers"].items():
        if handler.get("class") == "logging.StreamHandler":
            handler = {
                **handler,
                "formatter": "json",
                "filters": [*handler.get("filters", []), "request_id"],
            }
        handlers[name] = handler
    config["handlers"] = handlers
    return config


def init_sentry(dsn: str, *, environment: str = "production") -> bool:
    """Error reports to Sentry (or a compatible service) when a DSN is set; nothing otherwise.

    No personal data is sent (send_default_pii=False: no cookies, no user, no client address),
    and no performance traces (traces_sample_rate 0). Each event is tagged with the request id.
    """
    if not dsn:
        return False
    import sentry_sdk  # noqa: PLC0415 — imported only when a DSN is configured
    from sentry_sdk.integrations.celery import CeleryIntegration  # noqa: PLC0415
    from sentry_sdk.integrations.django import DjangoIntegration  # noqa: PLC0415

    def tag_request_id(event, hint):
        request_id = _request_id.get()
        if request_id:
            event.setdefault("tags", {})["request_id"] = request_id
        return event

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        traces_sample_rate=0.0,
        before_send=tag_request_id,
    )
    return True
