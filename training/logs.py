"""Logs carry no secrets: URLs that hold one (a calendar feed, a password-reset or email
confirmation key, an invitation, an H5P launch, a certificate's code) are written with the
secret replaced by REDACTED.

`redact` is used by gunicorn's access log (`AccessLogger`, set in gunicorn.conf.py) and by
Django's own logging (`RedactSecretsFilter` on the handlers in settings.LOGGING, and
`RedactingAdminEmailHandler` for the error emails to ADMINS).
"""

import logging
import re
from urllib.parse import quote, unquote

from django.utils.log import AdminEmailHandler
from gunicorn.glogging import Logger as GunicornLogger

REDACTED = "[redacted]"

# One path segment, or a query value: up to the next separator. Whitespace and quotes end it
# too (a URL inside a log line, a request line, an HTML page).
_SEGMENT = r"[^/?#&\s\"'<>]+"
_PATHS = [
    # cohorts: a person's calendar feed, /calendar/<token>.ics (calendar apps fetch it).
    r"/calendar/",
    # allauth: /accounts/password/reset/key/<uidb36>-<key>/ and /accounts/confirm-email/<key>/.
    r"/accounts/password/reset/key/",
    r"/accounts/confirm-email/",
    # cohorts: a trainer's invitation to a cohort, /cohorts/invitations/<signed key>/.
    r"/cohorts/invitations/",
    # Certificates: the verification code (anyone who has it sees the holder's name).
    r"/verify/",
    # H5P: /h5p/play/<activity>/<launch>/…, a signed launch (library files have none).
    r"/h5p/play/[0-9a-fA-F-]{36}/(?!libraries/)",
]
_PATH_SECRET = re.compile(rf"(?P<keep>{'|'.join(_PATHS)}){_SEGMENT}")
# A certificate's code (26 base32 characters) wherever it is in a path.
_CERTIFICATE_CODE = re.compile(r"(?P<keep>/certificates/)[A-Za-z2-7]{26}(?![A-Za-z0-9])")
# Query parameters (or form-encoded values) whose value is a secret, whatever the path.
_QUERY_SECRET = re.compile(
    r"(?P<keep>(?:^|[?&;])(?:token|key|code|launch|signature|sig|secret|password|passwd|"
    r"access_token|api_key|apikey|auth)=)[^&#\s\"'<>]*",
    re.IGNORECASE,
)
_KEEP = rf"\g<keep>{REDACTED}"
_WHITESPACE = re.compile(r"(\s+)")
# Characters a URL keeps as they are when a decoded, redacted one is written back.
_URL_SAFE = "/?&=:;,+@!$()*~#[]-._"


def _scrub(text: str) -> str:
    # Each pattern only where it could match: most values (a user agent, a date) pass quickly.
    if "/" in text:
        text = _PATH_SECRET.sub(_KEEP, text)
        if "/certificates/" in text:
            text = _CERTIFICATE_CODE.sub(_KEEP, text)
    if "=" in text:
        text = _QUERY_SECRET.sub(_KEEP, text)
    return text


def _decoded(text: str) -> str:
    """Percent-decoded until nothing changes (a `next=` parameter may hold an encoded URL,
    encoded again)."""
    for _ in range(3):
        decoded = unquote(text)
        if decoded == text:
            break
        text = decoded
    return text


def _redact_word(word: str) -> str:
    scrubbed = _scrub(word)
    if "%" not in scrubbed:
        return scrubbed
    decoded = _decoded(scrubbed)
    redacted = _scrub(decoded)
    if redacted == decoded:
        return scrubbed
    # A secret was hiding behind percent-encoding: write the decoded, redacted form, encoded
    # again where a log line needs it (spaces, quotes, anything not ASCII).
    return quote(redacted, safe=_URL_SAFE)


def redact(text):
    """`text` with every secret of a URL in it replaced by REDACTED; anything not a string is
    returned as it is. A request line, a path, a query string, a full URL or a log message."""
    if not isinstance(text, str) or not text:
        return text
    if "%" not in text:
        return _scrub(text)  # the common case: no pattern crosses whitespace
    return "".join(
        part if part.isspace() else _redact_word(part) for part in _WHITESPACE.split(text)
    )


class RedactSecretsFilter(logging.Filter):
    """On a handler: the message as it will be written, with secrets redacted (Django's
    "Not Found: /calendar/<token>.ics", runserver's request lines, anyone's message)."""

    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:  # a broken record is logging's to report, not ours
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class RedactingAdminEmailHandler(AdminEmailHandler):
    """Django's error emails to ADMINS (subject, report and its HTML page) without secrets."""

    def send_mail(self, subject, message, *args, **kwargs):
        if kwargs.get("html_message"):
            kwargs["html_message"] = redact(kwargs["html_message"])
        super().send_mail(redact(subject), redact(message), *args, **kwargs)


# Request and response headers (gunicorn's {name}i, {name}o and {NAME}e atoms) never written,
# whatever access_log_format says.
_HIDDEN_HEADER = re.compile(r"authorization|cookie|csrf|token|secret|password|api[-_]?key", re.I)


def access_atoms(atoms: dict) -> dict:
    """Gunicorn's access-log atoms with secrets redacted: the request line (r), path (U),
    query (q), referer (f) and every header or environ value; credentials hidden whole."""
    cleaned = {}
    for name, value in atoms.items():
        if name.startswith("{") and _HIDDEN_HEADER.search(name):
            cleaned[name] = REDACTED
        else:
            cleaned[name] = redact(value)
    return cleaned


class AccessLogger(GunicornLogger):
    """Gunicorn's logger (logger_class in gunicorn.conf.py): access lines without secrets, and
    its error log ("Error handling request /…") filtered the same way."""

    def setup(self, cfg):
        super().setup(cfg)  # again on each reload (SIGHUP): one filter is enough
        if not any(isinstance(f, RedactSecretsFilter) for f in self.error_log.filters):
            self.error_log.addFilter(RedactSecretsFilter())

    def atoms(self, resp, req, environ, request_time):
        return access_atoms(super().atoms(resp, req, environ, request_time))
