"""Production: everything from the environment; a missing secret stops start-up.

See README.md, "Configuration", for every variable. Behind a TLS-terminating proxy that sets
X-Forwarded-Proto (the compose file's web service is meant to sit behind one).
"""

from email.utils import parseaddr
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from training.logging import init_sentry, json_logging
from training.storage import storages_setting

from .base import *  # noqa: F403
from .base import ACOMPANA_S3, ACOMPANA_STORAGE, LOGGING, SENTRY_DSN, env, with_engine_options


def _required(name, cast=str):
    """Read a variable that has no safe default; name it clearly when it is missing."""
    try:
        value = env.get_value(name, cast=cast)
    except ImproperlyConfigured:
        raise ImproperlyConfigured(
            f"Acompaña production settings: the environment variable {name} is not set. "
            "See README.md, 'Configuration'."
        ) from None
    if value in ("", [], None):
        raise ImproperlyConfigured(
            f"Acompaña production settings: the environment variable {name} is empty."
        )
    return value


DEBUG = False
SECRET_KEY = _required("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = _required("DJANGO_ALLOWED_HOSTS", cast=list)
CSRF_TRUSTED_ORIGINS = env.list(
    "DJANGO_CSRF_TRUSTED_ORIGINS", default=[f"https://{host}" for host in ALLOWED_HOSTS]
)

DATABASES = {"default": with_engine_options(env.db_url_config(_required("DATABASE_URL")))}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A database that does not answer fails the request (a 503, training/friendly_errors.py) within
# seconds instead of holding a worker; the next request connects again.
DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
    "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
)

# The cache and the Celery broker live in different Redis databases: flushing or evicting the
# cache must never drop queued tasks (bakerydemo's production settings explain the same).
CELERY_BROKER_URL = _required("CELERY_BROKER_URL")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL)
CELERY_TASK_ALWAYS_EAGER = False
REDIS_CACHE_URL = _required("REDIS_CACHE_URL")


def _redis_database(url):
    parts = urlsplit(url)
    return (parts.hostname, parts.port or 6379, parts.path.strip("/") or "0")


if _redis_database(REDIS_CACHE_URL) == _redis_database(CELERY_BROKER_URL):
    raise ImproperlyConfigured(
        "Acompaña production settings: REDIS_CACHE_URL and CELERY_BROKER_URL must use "
        "different Redis databases (for example /1 for the cache and /0 for the broker)."
    )
CACHES = {
    "default": {
        "BACKEND": "training.cache.PooledClientRedisCache",
        "LOCATION": REDIS_CACHE_URL,
        "KEY_PREFIX": "acompana",
        # Redis unreachable: pages go on without the cache (training/cache.py), soon.
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}

# For example smtp+tls://user:password@smtp.example.org:587
globals().update(env.email_url_config(_required("EMAIL_URL")))
DEFAULT_FROM_EMAIL = _required("DJANGO_DEFAULT_FROM_EMAIL")
SERVER_EMAIL = env("DJANGO_SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)

MEDIA_ROOT = Path(_required("DJANGO_MEDIA_ROOT"))
# The reverse proxy serves MEDIA_ROOT (only image renditions and avatars live there) at /media/;
# ACOMPANA_SERVE_MEDIA=True lets Django serve them instead, on a small site.
ACOMPANA_SERVE_MEDIA = env.bool("ACOMPANA_SERVE_MEDIA", default=False)
# WhiteNoise serves the collected static files right after the security middleware.
MIDDLEWARE = [*MIDDLEWARE]  # noqa: F405
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "whitenoise.middleware.WhiteNoiseMiddleware",
)
# Files: local folders (the volumes of docker-compose.yml) or, with ACOMPANA_STORAGE=s3, one
# private S3-compatible bucket whose settings are then required: storages_setting() stops
# start-up naming what is missing (README, "Object storage"). In S3 mode Django itself serves
# the public media at /media/, from the bucket.
STORAGES = storages_setting(
    ACOMPANA_STORAGE,
    s3=ACOMPANA_S3,
    staticfiles="whitenoise.storage.CompressedManifestStaticFilesStorage",
)
WAGTAILADMIN_BASE_URL = _required("WAGTAILADMIN_BASE_URL")
ACOMPANA_PLATFORM_ORIGIN = env(
    "ACOMPANA_PLATFORM_ORIGIN", default=WAGTAILADMIN_BASE_URL.rstrip("/")
)
# H5P runs on its own domain (for example https://h5p.acompana.example.org): required.
H5P_ORIGIN = _required("H5P_ORIGIN")
_h5p_host = urlsplit(H5P_ORIGIN).hostname
if not _h5p_host or _h5p_host == urlsplit(ACOMPANA_PLATFORM_ORIGIN).hostname:
    raise ImproperlyConfigured(
        "Acompaña production settings: H5P_ORIGIN must be a host of its own, different from "
        "the platform's (for example https://h5p.acompana.example.org)."
    )
if _h5p_host not in ALLOWED_HOSTS:
    ALLOWED_HOSTS = [*ALLOWED_HOSTS, _h5p_host]

# HTTPS everywhere. https://docs.djangoproject.com/en/5.2/howto/deployment/checklist/
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# /healthz is probed over plain HTTP inside the compose network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Behind the TLS proxy every request comes from the proxy's address: allauth must take the
# client's address from X-Forwarded-For, or one person's failed logins would lock out everyone.
# https://docs.allauth.org/en/latest/common/configuration.html
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("ALLAUTH_TRUSTED_PROXY_COUNT", default=1)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)

ADMINS = [("Admin", email) for email in env.list("DJANGO_ADMINS", default=[])]

# --- Logs, metrics, error reports (training/logging.py, training/metrics.py) --------------------
# One JSON object a line on standard output, each with the request id (also in the worker, for
# the tasks a request queued: Celery leaves Django's logging as it is).
LOGGING = json_logging(LOGGING)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Request counts and latencies by view (django-prometheus), first and last around the others.
# Production only: benchmarks and tests run without them. Gunicorn's worker processes share
# their counters through PROMETHEUS_MULTIPROC_DIR (gunicorn.conf.py).
MIDDLEWARE = [
    *MIDDLEWARE[:2],
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    *MIDDLEWARE[2:],
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]
init_sentry(SENTRY_DSN)

# --- Placeholders -------------------------------------------------------------------------------
# .env.example's values are placeholders, published with the code: copied unchanged they would
# run a site with a known secret key and database password, or point people at example.org.
# Start-up (and so `manage.py check --deploy`) stops and names each variable still holding one.
# The reserved example domains (RFC 2606) never belong to a real installation.
_PLACEHOLDER_MARKS = ("replace-me", "change-me", "changeme")
_EXAMPLE_DOMAINS = ("example", "example.org", "example.com", "example.net", "invalid")


def _placeholder(value) -> bool:
    return any(mark in str(value or "").lower() for mark in _PLACEHOLDER_MARKS)


def _example_host(host) -> bool:
    host = str(host or "").strip().lower().strip(".")
    return any(host == domain or host.endswith("." + domain) for domain in _EXAMPLE_DOMAINS)


def _example_url(url) -> bool:
    return _example_host(urlsplit(str(url or "").strip()).hostname)


def _example_address(address) -> bool:
    return _example_host(parseaddr(str(address or ""))[1].rpartition("@")[2])


def _placeholders_left() -> list[str]:
    raw = env.str
    found = {
        "DJANGO_SECRET_KEY": _placeholder(SECRET_KEY),
        "DATABASE_URL": _placeholder(DATABASES["default"].get("PASSWORD")),
        "EMAIL_URL": _placeholder(globals().get("EMAIL_HOST_PASSWORD"))
        or _example_host(globals().get("EMAIL_HOST")),
        "DJANGO_ALLOWED_HOSTS": any(map(_example_host, env.list("DJANGO_ALLOWED_HOSTS"))),
        "DJANGO_CSRF_TRUSTED_ORIGINS": any(
            map(_example_url, env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[]))
        ),
        "DJANGO_DEFAULT_FROM_EMAIL": _example_address(DEFAULT_FROM_EMAIL),
        "DJANGO_SERVER_EMAIL": _example_address(raw("DJANGO_SERVER_EMAIL", default="")),
        "DJANGO_ADMINS": any(_example_address(email) for _name, email in ADMINS),
        "WAGTAILADMIN_BASE_URL": _example_url(WAGTAILADMIN_BASE_URL),
        "ACOMPANA_PLATFORM_ORIGIN": _example_url(raw("ACOMPANA_PLATFORM_ORIGIN", default="")),
        "H5P_ORIGIN": _example_url(H5P_ORIGIN),
        # Whatever ACOMPANA_STORAGE says: the compose file's storage service takes it too.
        "ACOMPANA_S3_SECRET_ACCESS_KEY": _placeholder(ACOMPANA_S3["secret_key"]),
    }
    return [name for name, left in found.items() if left]


if _left := _placeholders_left():
    raise ImproperlyConfigured(
        "Acompaña production settings: these environment variables still hold a placeholder "
        f"of .env.example (replace-me…, change-me…, example.org): {', '.join(_left)}. "
        "Set real values; see README.md, 'Configuration'."
    )
