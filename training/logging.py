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

Sentry (sentry-sdk) reports errors only when SENTRY_DSN is set (`init_sentry`), and what it sends
is redacted the same way (`sentry_options`): no local variables, no request body, cookies or
headers beyond a few harmless ones, and secrets in URLs, exception messages, log messages and
breadcrumbs replaced by REDACTED.
"""

import logging
import re
import uuid
from contextvars import ContextVar

from celery.signals import before_task_publish, task_postrun, task_prerun
from django.core.signals import request_finished
from django.dispatch import receiver
from pythonjsonlogger.core import RESERVED_ATTRS

from .logs import redact

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


# --- Error reports (Sentry) ---------------------------------------------------------------------
# The request headers an error report keeps; every other one (Cookie, Authorization, Referer, the
# client's address in X-Forwarded-For...) is dropped. Compared in lower case.
SENTRY_HEADERS = frozenset({
    "accept", "accept-language", "content-length", "content-type", "host", "user-agent",
    "x-forwarded-proto", "x-request-id",
})  # fmt: skip
# What an event's request keeps: never its body (data), cookies or environment.
_SENTRY_REQUEST_KEYS = ("method", "url", "query_string", "headers")


def _redacted(value):
    """`value` with every string in it (nested in dicts, lists and tuples) redacted; any other
    object (a log record's `request`, in a breadcrumb) by its redacted repr."""
    if isinstance(value, str):
        return redact(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, dict):
        return {key: _redacted(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(item) for item in value]
    try:
        return redact(repr(value))
    except Exception:  # a broken repr: nothing of it is sent
        return None


def _safe_request(request: dict) -> dict:
    kept = {key: request[key] for key in _SENTRY_REQUEST_KEYS if key in request}
    headers = kept.get("headers")
    if isinstance(headers, dict):
        kept["headers"] = {k: v for k, v in headers.items() if k.lower() in SENTRY_HEADERS}
    else:
        kept.pop("headers", None)
    return kept


def sentry_before_send(event, hint):
    """Every event, before it leaves: the request trimmed to `_SENTRY_REQUEST_KEYS` and
    `SENTRY_HEADERS`, then every string in it (the URL, the query string, exception values, log
    messages and their arguments, breadcrumbs, extra data) redacted; tagged with the request
    id."""
    if isinstance(event.get("request"), dict):
        event["request"] = _safe_request(event["request"])
    event = _redacted(event)
    request_id = _request_id.get()
    if request_id:
        event.setdefault("tags", {})["request_id"] = request_id
    return event


def sentry_before_breadcrumb(crumb, hint):
    """A breadcrumb (a log line, an outgoing HTTP call) with its message and data redacted
    (a log record's extra values among them: Django's `request`, by its repr)."""
    for key in ("message", "data"):
        if key in crumb:
            crumb[key] = _redacted(crumb[key])
    return crumb


def sentry_options(dsn: str, *, environment: str = "production") -> dict:
    """The options of `sentry_sdk.init`: errors only, and nothing personal in them.

    sentry-sdk's defaults would send each stack frame's local variables (a token, a form's
    password, a person's record), request bodies up to 10 KB, and URLs, exception messages and
    log lines as they are; here: no local variables, no body (max_request_body_size "never"), no
    cookies, user or client address (send_default_pii=False), only `SENTRY_HEADERS`, and
    everything else through training.logs.redact (`sentry_before_send`,
    `sentry_before_breadcrumb`). No performance traces (traces_sample_rate 0)."""
    from sentry_sdk.integrations.celery import CeleryIntegration  # noqa: PLC0415
    from sentry_sdk.integrations.django import DjangoIntegration  # noqa: PLC0415

    return {
        "dsn": dsn,
        "environment": environment,
        "integrations": [DjangoIntegration(), CeleryIntegration()],
        "send_default_pii": False,
        "include_local_variables": False,
        "max_request_body_size": "never",
        "traces_sample_rate": 0.0,
        "before_send": sentry_before_send,
        "before_breadcrumb": sentry_before_breadcrumb,
    }


def init_sentry(dsn: str, *, environment: str = "production") -> bool:
    """Error reports to Sentry (or a compatible service) when a DSN is set; nothing otherwise.
    What is sent, and what never is: `sentry_options`."""
    if not dsn:
        return False
    import sentry_sdk  # noqa: PLC0415 — imported only when a DSN is configured

    sentry_sdk.init(**sentry_options(dsn, environment=environment))
    return True
