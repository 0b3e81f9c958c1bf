"""Logs carry no secrets (training/logs.py): the redaction, Django's log lines and error emails,
and gunicorn's access logger. tests/test_production.py runs the real gunicorn with its config."""

import io
import logging
import uuid
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core import mail
from django.test import RequestFactory
from gunicorn.config import Config

from training.logs import REDACTED, AccessLogger, RedactSecretsFilter, access_atoms, redact

SECRET = "s3cr3T-Value_9:zQ"  # as a signed token looks: URL-safe base64 and colons
CODE = "ABCDEFGHIJKLMNOPQRSTUVWX23"  # a certificate's code: 26 base32 characters
ACTIVITY = "0f8fad5b-d9cb-469f-a165-70867728950e"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(f"/calendar/{SECRET}.ics", "/calendar/[redacted]", id="calendar-feed"),
        pytest.param(f"GET /accounts/password/reset/key/4-{SECRET}/ HTTP/1.1",
                     "GET /accounts/password/reset/key/[redacted]/ HTTP/1.1", id="password-reset"),
        pytest.param(f"/accounts/confirm-email/{SECRET}/", "/accounts/confirm-email/[redacted]/",
                     id="email-confirmation"),
        pytest.param(f"/cohorts/invitations/{SECRET}/", "/cohorts/invitations/[redacted]/",
                     id="invitation"),
        pytest.param(f"/verify/{CODE}/", "/verify/[redacted]/", id="verification"),
        pytest.param(f"/certification/certificates/{CODE}/pdf/",
                     "/certification/certificates/[redacted]/pdf/", id="certificate-code"),
        pytest.param(f"https://h5p.example/h5p/play/{ACTIVITY}/{SECRET}/content/a.png",
                     f"https://h5p.example/h5p/play/{ACTIVITY}/[redacted]/content/a.png",
                     id="h5p-launch"),
        pytest.param(f"/api/v1/responders/?limit=5&token={SECRET}&page=2",
                     "/api/v1/responders/?limit=5&token=[redacted]&page=2", id="query-token"),
        pytest.param(f"key={SECRET}&x=1", "key=[redacted]&x=1", id="query-string-alone"),
        pytest.param(f"GET /accounts/login/?next=%2Fcalendar%2F{SECRET}.ics HTTP/1.1",
                     "GET /accounts/login/?next=/calendar/[redacted] HTTP/1.1", id="encoded-next"),
        pytest.param(f"/accounts/login/?next=%252Fcalendar%252F{SECRET}.ics",
                     "/accounts/login/?next=/calendar/[redacted]", id="encoded-twice"),
        pytest.param(f'<a href="/pool/?page=2&amp;token={SECRET}">',
                     '<a href="/pool/?page=2&amp;token=[redacted]">', id="html-escaped"),
        pytest.param(f"Not Found: /calendar/{SECRET}.ics", "Not Found: /calendar/[redacted]",
                     id="django-message"),
    ],
)  # fmt: skip
def test_a_secret_in_a_url_is_redacted_and_the_rest_kept(text, expected):
    redacted = redact(text)
    assert redacted == expected
    assert SECRET not in redacted and CODE not in redacted


@pytest.mark.parametrize(
    "text",
    [
        "/calendar/",  # the calendar settings page: nothing secret
        f"/h5p/play/{ACTIVITY}/libraries/H5P.MultiChoice-1.16/js/multichoice.js",
        "/pool/?language=es&page=2",
        "GET /learn/modules/12/h5p/a1b2/xapi/ HTTP/1.1",
        "/dashboard/trainer/cohorts/spring/invitations/12/",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)",
        "/search/?q=100%25%20safe",
        "",
    ],
)
def test_what_holds_no_secret_is_written_as_it_is(text):
    assert redact(text) == text


def test_anything_but_a_string_is_left_alone():
    assert redact(None) is None
    assert redact(42) == 42


def test_gunicorn_atoms_redact_urls_and_hide_credentials_whole():
    atoms = access_atoms({
        "r": f"GET /calendar/{SECRET}.ics HTTP/1.1", "U": f"/calendar/{SECRET}.ics",
        "q": f"token={SECRET}", "f": f"https://site/accounts/confirm-email/{SECRET}/",
        "s": "200", "B": 12,
        "{authorization}i": "Bearer abc", "{cookie}i": "acompana_sessionid=abc",
        "{x-csrftoken}i": "abc", "{http_authorization}e": "Bearer abc",
        "{location}o": f"https://site/calendar/{SECRET}.ics", "{user-agent}i": "curl/8",
    })  # fmt: skip
    assert SECRET not in repr(atoms) and "abc" not in repr(atoms)
    assert atoms["r"] == "GET /calendar/[redacted] HTTP/1.1"
    assert atoms["q"] == "token=[redacted]"
    assert atoms["{authorization}i"] == REDACTED and atoms["{cookie}i"] == REDACTED
    assert atoms["{user-agent}i"] == "curl/8" and atoms["B"] == 12


def test_the_access_logger_writes_the_request_without_its_secret(tmp_path):
    log_file = tmp_path / "access.log"
    cfg = Config()
    cfg.set("accesslog", str(log_file))
    cfg.set("logger_class", "training.logs.AccessLogger")
    cfg.set("access_log_format", '"%(r)s" %(s)s "%(f)s" %({authorization}i)s %({location}o)s')
    logger = cfg.logger_class(cfg)
    assert isinstance(logger, AccessLogger)
    response = SimpleNamespace(status="302 Found", sent=0,
                               headers=[("Location", f"/verify/{CODE}/")])  # fmt: skip
    request = SimpleNamespace(headers=[("AUTHORIZATION", f"Bearer {SECRET}")])
    environ = {
        "REQUEST_METHOD": "GET", "RAW_URI": f"/accounts/confirm-email/{SECRET}/",
        "SERVER_PROTOCOL": "HTTP/1.1", "PATH_INFO": f"/accounts/confirm-email/{SECRET}/",
        "QUERY_STRING": "", "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": f"https://site/calendar/{SECRET}.ics",
    }  # fmt: skip

    logger.access(response, request, environ, timedelta(milliseconds=3))

    line = log_file.read_text()
    assert SECRET not in line and CODE not in line
    assert line.strip() == (
        '"GET /accounts/confirm-email/[redacted]/ HTTP/1.1" 302 '
        '"https://site/calendar/[redacted]" [redacted] /verify/[redacted]/'
    )
    # Its error log ("Error handling request /…") is filtered too.
    assert any(isinstance(f, RedactSecretsFilter) for f in logger.error_log.filters)


@pytest.fixture
def console():
    """What the root's console handler (settings.LOGGING) writes during the test."""
    handler = next(h for h in logging.getLogger().handlers
                   if any(isinstance(f, RedactSecretsFilter) for f in h.filters))  # fmt: skip
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_djangos_not_found_warning_names_the_path_without_its_secret(client, db, console):
    token = f"feed{uuid.uuid4().hex}"
    assert client.get(f"/calendar/{token}.ics").status_code == 404
    written = console.getvalue()
    assert "Not Found: /calendar/[redacted]" in written, written
    assert token not in written


def test_a_message_with_arguments_is_redacted_once_formatted(console):
    logging.getLogger("acompana.test").warning("feed %s for %s", f"/calendar/{SECRET}.ics", 7)
    assert f"feed /calendar/{REDACTED} for 7" in console.getvalue()
    assert SECRET not in console.getvalue()


def test_error_emails_to_admins_carry_no_secret(settings):
    settings.ADMINS = [("Ops", "ops@localhost")]
    settings.DEBUG = False
    path = f"/calendar/{SECRET}.ics"
    request = RequestFactory().get(path, {"next": f"/verify/{CODE}/"})
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logging.getLogger("django.request").error(
            "Internal Server Error: %s", path, exc_info=True,
            extra={"status_code": 500, "request": request},
        )  # fmt: skip
    (email,) = mail.outbox
    assert "Internal Server Error: /calendar/[redacted]" in email.subject
    assert "/calendar/[redacted]" in email.body
    assert SECRET not in email.subject + email.body
    assert CODE not in email.body
