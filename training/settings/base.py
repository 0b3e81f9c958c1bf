"""Settings shared by every environment. Values come from the environment (django-environ).

Each environment module (dev, test, production, bench) imports this one and changes only what
differs. Production reads secrets without defaults so that a missing one stops start-up.
"""

from pathlib import Path

import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

from training.storage import storages_setting

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# Values come from the process environment only. The compose file reads `.env` itself; no
# settings module reads it, so a developer's `.env` never leaks into tests or production.
env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])

# --- Applications -------------------------------------------------------------------------------
INSTALLED_APPS = [
    # Our apps first so that their templates override those of allauth and Wagtail.
    "training",
    "courses",
    "cohorts",
    "certificates",
    "community",
    "care",  # well-being check-ins, debrief requests, self-care plans (issue 22)
    # Wagtail
    # Translated courses: editors translate pages in the admin (wagtail-localize).
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "training.apps.UsersAdminConfig",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Accounts
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Django
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Content-Security-Policy (its system checks; the middleware is training.csp's).
    "csp",
]

MIDDLEWARE = [
    # A request id on every log line of the request and in the X-Request-ID response header.
    "training.logging.RequestIdMiddleware",
    # /metrics for Prometheus (a token, or 404), before host checks and the https redirect.
    "training.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Refuses a body above ACOMPANA_REQUEST_MAX_BYTES (413) before anything reads it.
    "training.uploads.RequestSizeLimitMiddleware",
    # Answers requests for the H5P origin before sessions, auth or CSRF ever see them.
    "courses.h5p.origin.H5POriginMiddleware",
    # After the H5P origin's middleware, which answers with its own policy: platform pages only.
    "training.csp.PlatformCSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "training.middleware.UserPreferencesMiddleware",
    # A NUL character (which PostgreSQL cannot store) is refused with a 400 before any view
    # (after the person's language and account, so the page is theirs).
    "training.inputs.RefuseNulMiddleware",
    "training.middleware.RequireMFAMiddleware",
    # A signed-in person who is not an editor gets a 403 at /admin/, not a loop via the login page.
    "training.middleware.AdminAccessMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "training.urls"
WSGI_APPLICATION = "training.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "training.context_processors.platform",
                "training.device.context",
            ],
        },
    },
]

# --- Data ---------------------------------------------------------------------------------------
# The embedded SQLite file (`make run`, tests and benchmarks without DATABASE_URL) takes two
# requests writing at once (an autosave meeting a reconnect, a double submit): each transaction
# takes the write lock when it begins (IMMEDIATE; a deferred one that read first cannot wait for
# it and fails with "database is locked") and waits up to 20 seconds for another writer to finish;
# WAL lets reads outside a transaction go on meanwhile. Requests run in a transaction
# (ATOMIC_REQUESTS), so on SQLite they take turns: right for one machine's `make run`, and why
# production uses PostgreSQL.
# https://docs.djangoproject.com/en/5.2/ref/databases/#database-is-locked-errors
# https://docs.djangoproject.com/en/5.2/ref/databases/#sqlite-transaction-behavior
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}


# PostgreSQL: queries are sent with their values apart (server-side binding) and the ones a
# connection repeats are prepared once (psycopg prepares a query on its 5th run on the same
# connection). Connections live across requests (CONN_MAX_AGE), so a hot page's queries are
# parsed and planned once per connection, not on every request: the dashboard went from 25 to
# 16 ms on this machine, most of it planning and Python-side quoting of values (issue 18).
# Behind a pooler that cannot keep prepared statements (PgBouncer before 1.21 in transaction
# mode), set DATABASE_PREPARED_STATEMENTS=false: Django's default, values quoted by the client.
# https://docs.djangoproject.com/en/5.2/ref/databases/#server-side-parameters-binding
# https://www.psycopg.org/psycopg3/docs/advanced/prepare.html
POSTGRES_ENGINE = "training.postgresql"
POSTGRES_PREPARED_STATEMENTS = env.bool("DATABASE_PREPARED_STATEMENTS", default=True)
POSTGRES_OPTIONS = (
    {
        "server_side_binding": True,
        "prepare_threshold": env.int("DATABASE_PREPARE_THRESHOLD", default=5),
    }
    if POSTGRES_PREPARED_STATEMENTS
    else {}
)


def with_engine_options(database: dict) -> dict:
    """`database` (a DATABASES entry) with the options its engine needs here: SQLITE_OPTIONS on
    SQLite, POSTGRES_OPTIONS on PostgreSQL; options given in the URL (`sqlite:///file?timeout=5`)
    win. Any other engine is left as it is."""
    defaults = {
        "django.db.backends.sqlite3": SQLITE_OPTIONS,
        "django.db.backends.postgresql": POSTGRES_OPTIONS,
        POSTGRES_ENGINE: POSTGRES_OPTIONS,
    }.get(database.get("ENGINE"))
    if defaults:
        database["OPTIONS"] = {**defaults, **database.get("OPTIONS", {})}
    if database.get("ENGINE") == "django.db.backends.postgresql" and POSTGRES_OPTIONS:
        # Django's backend, with bulk queries cut to the server's parameter limit
        # (training/postgresql/base.py).
        database["ENGINE"] = POSTGRES_ENGINE
    return database


DATABASES = {
    "default": with_engine_options(
        env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
    ),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "acompana",
    }
}

# --- Accounts -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "training.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"

# django-allauth: https://docs.allauth.org/en/latest/account/configuration.html
ACCOUNT_ADAPTER = "training.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "training.forms.SignupForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# A taken email on sign-up or password reset reveals nothing: the owner gets an email instead.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Acompaña] "
# Tell people when their password, email or second factor changes: if it wasn't them, they know.
ACCOUNT_EMAIL_NOTIFICATIONS = True
# Allauth's rate limits use the cache; production shares them across processes through Redis.
# https://docs.allauth.org/en/latest/account/rate_limits.html — "key" is the email address,
# except in the "*_per_client" limits (training/adapters.py), keyed on the address *and* the
# client's IP (IPv6: its /64). One client's allowance is always below the address's, so a
# harasser who knows someone's email cannot lock them out alone, nor flood their mailbox.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,30/h/key",
    "login_failed_per_client": "5/5m/key,10/h/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,10/h/key,20/d/key",
    "reset_password_per_client": "3/h/key,6/d/key",
    "request_login_code": "20/h/ip,10/h/key,20/d/key",
    "request_login_code_per_client": "3/h/key,6/d/key",
    "confirm_email": "1/3m/key,10/d/key",
}
# Sign-in by a code sent to the email: the way in when the password path is throttled (or
# forgotten). Guessing is bounded by the attempts per code, not by its lifetime; slow mail
# needs a few minutes. A second factor is still asked for afterwards.
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 10 * 60
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 3
ACCOUNT_FORMS = {
    "signup": "training.account_forms.SignupForm",
    "login": "training.account_forms.LoginForm",
    "request_login_code": "training.account_forms.RequestLoginCodeForm",
    "reset_password": "training.account_forms.ResetPasswordForm",
}
MFA_ADAPTER = "training.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Acompaña"

# --- Wagtail ------------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Acompaña"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
# The admin has no login form of its own: it sends people to allauth's throttled one.
WAGTAILADMIN_LOGIN_URL = "/accounts/login/"
WAGTAIL_FRONTEND_LOGIN_URL = "/accounts/login/"
# Wagtail would send an MD5 of every person's email to gravatar.com and show it to editors.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAIL_EMAIL_MANAGEMENT_ENABLED = False
WAGTAILUSERS_PASSWORD_ENABLED = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "odt", "docx", "txt", "epub"]
# The admin's dashboard would ask releases.wagtail.org from each editor's browser; upgrades come
# through uv.lock anyway.
WAGTAIL_ENABLE_UPDATE_CHECK = False
# The admin shows times in the editor's own zone, the one of their platform profile
# (training.middleware.admin_profile_in_own_zone): Wagtail's separate choice is not offered.
WAGTAIL_USER_TIME_ZONES = []

# --- Languages and time ---------------------------------------------------------------------------
LANGUAGE_CODE = "en"
# Every language the platform knows. LANGUAGES (below) is the subset offered to people
# (ACOMPANA_LANGUAGES; by default all of them: every catalogue is complete).
ALL_LANGUAGES = {
    "en": _("English"),
    "es": _("Spanish"),
    "pt-br": _("Portuguese (Brazil)"),
    "fr": _("French"),
    "id": _("Indonesian"),
    # The first right-to-left language: pages carry dir="rtl" and the layout mirrors.
    "ar": _("Arabic"),
}
LANGUAGES = [
    (code, ALL_LANGUAGES[code])
    for code in env.list("ACOMPANA_LANGUAGES", default=["en", "es", "pt-br", "fr", "id", "ar"])
    if code in ALL_LANGUAGES
]
LOCALE_PATHS = [BASE_DIR / "locales"]
# Course content in several languages (Wagtail's internationalisation, with wagtail-localize): in
# the languages the platform offers.
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
LANGUAGE_COOKIE_NAME = "acompana_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
# One unambiguous style per language: 24-hour times and the month as a word (training/formats).
FORMAT_MODULE_PATH = ["training.formats"]

# --- Static and media ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media")))
# MEDIA_ROOT holds only what may be public: image renditions and avatars. Documents and original
# images are kept in ACOMPANA_PRIVATE_ROOT by the default storage (training/storage.py), and
# documents are served only by Wagtail's view, which checks the collection's privacy.
# https://docs.wagtail.org/en/stable/reference/settings.html#wagtaildocs-serve-method
WAGTAILDOCS_SERVE_METHOD = "serve_view"
# Django serves MEDIA_ROOT's public folders at /media/ (development: on; production: off by
# default, the reverse proxy serves them; always on with ACOMPANA_STORAGE=s3: training/urls.py).
ACOMPANA_SERVE_MEDIA = env.bool("ACOMPANA_SERVE_MEDIA", default=True)
# Where files are kept: "local" folders (MEDIA_ROOT, ACOMPANA_PRIVATE_ROOT, ACOMPANA_H5P_ROOT) or
# "s3", one private S3-compatible bucket (README, "Object storage"; training/storage.py).
ACOMPANA_STORAGE = env("ACOMPANA_STORAGE", default="local")
ACOMPANA_S3 = {
    "endpoint_url": env("ACOMPANA_S3_ENDPOINT_URL", default=""),
    "bucket_name": env("ACOMPANA_S3_BUCKET", default=""),
    "access_key": env("ACOMPANA_S3_ACCESS_KEY_ID", default=""),
    "secret_key": env("ACOMPANA_S3_SECRET_ACCESS_KEY", default=""),
    "region_name": env("ACOMPANA_S3_REGION", default="us-east-1"),
}
STORAGES = storages_setting(ACOMPANA_STORAGE, s3=ACOMPANA_S3)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
# Sizes, in MB of 1024 x 1024 bytes (training/uploads.py). Each upload form names its limit in
# the editor's language; the request cap refuses (413) any body no form accepts, so it must stay
# above the largest upload, H5P packages included (a system check says so).
# https://docs.wagtail.org/en/stable/reference/settings.html#wagtaildocs-max-upload-size
WAGTAILDOCS_MAX_UPLOAD_SIZE = env.int("ACOMPANA_DOCUMENT_MAX_MB", default=20) * 1024 * 1024
# https://docs.wagtail.org/en/stable/reference/settings.html#wagtailimages-max-upload-size
WAGTAILIMAGES_MAX_UPLOAD_SIZE = env.int("ACOMPANA_IMAGE_MAX_MB", default=10) * 1024 * 1024
# Decoding an image for its renditions takes about 4 bytes a pixel: 40 megapixels, 160 MB.
WAGTAILIMAGES_MAX_IMAGE_PIXELS = env.int("ACOMPANA_IMAGE_MAX_MEGAPIXELS", default=40) * 1000 * 1000
# A body without its files (a long page from the editor, a JSON statement): held in memory.
# https://docs.djangoproject.com/en/5.2/ref/settings/#data-upload-max-memory-size
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("ACOMPANA_FORM_MAX_MB", default=4) * 1024 * 1024
ACOMPANA_REQUEST_MAX_BYTES = env.int("ACOMPANA_REQUEST_MAX_MB", default=80) * 1024 * 1024

# --- Email --------------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="Acompaña <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# --- Background work (Celery) ---------------------------------------------------------------------
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/0")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL)
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_TIMEZONE = "UTC"
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-time-limit
CELERY_TASK_TIME_LIMIT = 10 * 60
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-soft-time-limit
CELERY_TASK_SOFT_TIME_LIMIT = 9 * 60
# Tasks are written to be safe to run twice, so a worker lost mid-task may re-run them.
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-acks-late
CELERY_TASK_ACKS_LATE = True
# A task whose pool process was killed (SIGKILL, out of memory) is requeued and runs again, not
# acknowledged as failed. https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-reject-on-worker-lost
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A message taken by a worker that dies outright (the whole worker killed) goes back to the queue
# after the visibility timeout: longer than the longest task time limit (data downloads, 15
# minutes) and the longest retry countdown, or a task still running would be delivered again.
# https://docs.celeryq.dev/en/stable/getting-started/backends-and-brokers/redis.html#visibility-timeout
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=30 * 60),
}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#broker-connection-retry-on-startup
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
# https://docs.celeryq.dev/en/stable/userguide/periodic-tasks.html#beat-entries
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {
        "task": "training.tasks.clear_expired_sessions",
        "schedule": 60 * 60 * 6,
    },
    "purge-unverified-accounts": {
        "task": "training.tasks.purge_unverified_accounts",
        "schedule": 60 * 60 * 24,
    },
    "sweep-h5p-store": {
        "task": "courses.tasks.h5p_sweep",
        "schedule": 60 * 60,
    },
    "purge-h5p-statements": {
        "task": "courses.tasks.h5p_statements_purge",
        "schedule": 60 * 60 * 24,
    },
    # Cohort messages (cohorts/notify.py, sent by training/notifications.py): each sent once,
    # whatever runs twice.
    "session-reminders": {"task": "cohorts.tasks.send_session_reminders", "schedule": 60 * 10},
    "unsent-announcements": {
        "task": "cohorts.tasks.send_unsent_announcements",
        "schedule": 60 * 10,
    },
    "module-releases": {"task": "cohorts.tasks.send_module_releases", "schedule": 60 * 60},
    "inactivity-nudges": {"task": "cohorts.tasks.send_nudges", "schedule": 60 * 60 * 24},
    "application-digests": {"task": "cohorts.tasks.send_digests", "schedule": 60 * 60 * 24},
    "cohort-invitations-expire": {
        "task": "cohorts.tasks.expire_invitations",
        "schedule": 60 * 60 * 6,
    },
    # Certification (certificates/tasks.py): idempotent, so running twice changes nothing.
    "certification-daily": {"task": "certificates.tasks.daily", "schedule": 60 * 60 * 6},
    "pool-exports-purge": {"task": "certificates.tasks.exports_purge", "schedule": 60 * 60},
    # Retention (training/retention.py records each run for the admin's Retention report).
    "pool-forget": {"task": "certificates.tasks.pool_forget", "schedule": 60 * 60 * 24},
    "audit-log-purge": {"task": "training.tasks.purge_audit_log", "schedule": 60 * 60 * 24},
    "data-downloads-purge": {"task": "training.tasks.purge_data_downloads", "schedule": 60 * 60},
    "closed-applications-purge": {
        "task": "cohorts.tasks.purge_closed_applications",
        "schedule": 60 * 60 * 24,
    },
    "notification-logs-purge": {
        "task": "cohorts.tasks.purge_notification_logs",
        "schedule": 60 * 60 * 24,
    },
    "calendar-feeds-purge": {
        "task": "cohorts.tasks.purge_calendar_feeds",
        "schedule": 60 * 60 * 24,
    },
    # Accounts whose grace period is over (training/deletion.py): each erased once.
    "account-deletions": {"task": "training.tasks.perform_due_deletions", "schedule": 60 * 60},
    # Idempotency keys of what devices sent (training/idempotency.py).
    "idempotency-keys-purge": {
        "task": "training.tasks.purge_idempotency_keys",
        "schedule": 60 * 60 * 24,
    },
    # Well-being check-ins kept no longer than ACOMPANA_CHECKIN_RETENTION_DAYS (care/tasks.py).
    "care-checkins-purge": {"task": "care.tasks.purge_checkins", "schedule": 60 * 60 * 24},
    # Digests of the cohort spaces (community/digests.py): each person's once per day or week,
    # from 08:00 in their own time zone, so the task runs every hour.
    "space-digests": {"task": "community.tasks.send_space_digests", "schedule": 60 * 60},
    # Tasks the broker could not take when they were queued (training/outbox.py).
    "outbox-relay": {"task": "training.tasks.relay_outbox", "schedule": 60},
}
# The transactional outbox (training/outbox.py): a task not sent after this many seconds is sent
# by the relay (its own process died between the commit and the send); sent rows are kept this
# many days for tracing.
ACOMPANA_OUTBOX_GRACE_SECONDS = 60
ACOMPANA_OUTBOX_KEEP_DAYS = 7

# --- Security that holds everywhere -----------------------------------------------------------
# Sessions are read from the cache and written through to the database: no query per request.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_NAME = "acompana_session"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
CSRF_COOKIE_NAME = "acompana_csrftoken"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy of the platform's own pages (django-csp, configured as in
# https://django-csp.readthedocs.io/en/latest/configuration.html). No template or script of ours
# has an inline script, event handler, javascript: URL or style attribute: scripts and styles are
# static files, so an injected <script> or handler never runs. training/csp.py adds H5P_ORIGIN
# to frame-src on each request and gives the Wagtail admin ACOMPANA_ADMIN_CSP_REPLACE. The H5P
# origin keeps its own, stricter policy (courses/h5p/origin.py).
# Hosts whose players editors may embed in a video block (Wagtail embeds are iframes).
ACOMPANA_CSP_FRAME_SOURCES = env.list(
    "ACOMPANA_CSP_FRAME_SOURCES",
    default=[
        "https://www.youtube.com",
        "https://www.youtube-nocookie.com",
        "https://player.vimeo.com",
    ],
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # data: for the QR code of the authenticator set-up (allauth draws it as a data URL).
        "img-src": [SELF, "data:"],
        "media-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        # The service worker (/sw.js) and the web app manifest (training.offline).
        "worker-src": [SELF],
        "manifest-src": [SELF],
        "frame-src": ACOMPANA_CSP_FRAME_SOURCES,
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
# The Wagtail admin (and wagtail-localize's editor) ship inline scripts and style attributes of
# their own; only editors with a second factor reach it. Its page previews frame admin URLs.
ACOMPANA_ADMIN_CSP_REPLACE = {
    "script-src": [SELF, UNSAFE_INLINE],
    "style-src": [SELF, UNSAFE_INLINE],
    "img-src": [SELF, "data:", "blob:"],
    "frame-src": [SELF, *ACOMPANA_CSP_FRAME_SOURCES],
    "frame-ancestors": [SELF],
}

# Logs carry no secrets: every handler replaces the secret of a URL in a message (Django's "Not
# Found: /calendar/<token>.ics", runserver's request lines, the error emails to ADMINS) with
# "[redacted]" (training/logs.py; gunicorn's access log: gunicorn.conf.py). "django" and
# "django.server" are Django's defaults (django/utils/log.py) with that filter.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_secrets": {"()": "training.logs.RedactSecretsFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "plain": {"format": "%(levelname)s %(asctime)s %(name)s %(message)s"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_secrets"],
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact_secrets"],
        },
        "mail_admins": {
            "level": "ERROR",
            "filters": ["require_debug_false"],
            "class": "training.logs.RedactingAdminEmailHandler",
        },
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        # Errors by email to ADMINS; everything else reaches the console through the root.
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        # Wagtail runs its search-index and reference-index updates as django-tasks.
        "django_tasks": {"level": "WARNING"},
        # WeasyPrint logs each rendering step at INFO; its warnings (a refused fetch) stay.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Prometheus reads /metrics with "Authorization: Bearer <this token>"; unset, /metrics is a 404
# for everyone (training/metrics.py).
ACOMPANA_METRICS_TOKEN = env("ACOMPANA_METRICS_TOKEN", default="")
# Error reports to Sentry (or a compatible service) when set (training/logging.py, init_sentry).
SENTRY_DSN = env("SENTRY_DSN", default="")

# --- Acompaña -----------------------------------------------------------------------------------
ACOMPANA_ORGANISATION = env("ACOMPANA_ORGANISATION", default="Acompaña")
# H5P content runs on its own origin, which never receives the platform's cookies: a separate
# host (in production a separate domain). ACOMPANA_PLATFORM_ORIGIN is the only origin allowed
# to frame it and to receive its messages. See README, "H5P".
H5P_ORIGIN = env("H5P_ORIGIN", default="http://localhost:8000")
ACOMPANA_PLATFORM_ORIGIN = env("ACOMPANA_PLATFORM_ORIGIN", default="http://127.0.0.1:8000")
H5P_PLAYER_DIR = BASE_DIR / "node_modules" / "h5p-standalone" / "dist"
# Uploaded packages, libraries and content live OUTSIDE MEDIA_ROOT: nothing of a package may ever
# be served from the platform's own host (its SVG or XML could run scripts there).
ACOMPANA_H5P_ROOT = Path(env("ACOMPANA_H5P_ROOT", default=str(BASE_DIR / "h5p-store")))
# Library and content files get .br/.gz siblings at extraction (courses/h5p/compression.py):
# brotli's best quality, once per file, for learners on slow links.
ACOMPANA_H5P_BROTLI_QUALITY = 11
# H5P packages: limits the validator enforces (courses/h5p/validator.py, Limits).
ACOMPANA_H5P_LIMITS = {
    "max_files": 3000,
    "max_total_bytes": 64 * 1024 * 1024,
    "max_file_bytes": 16 * 1024 * 1024,
    "max_ratio": 100,
}
# Optional virus scan of every file of an uploaded H5P package by ClamAV's clamd (INSTREAM):
# a unix socket path or host:port. Empty: no scan. An unreachable clamd refuses the package.
ACOMPANA_CLAMAV = env("ACOMPANA_CLAMAV", default="")
# An upload still "being prepared" this long after it arrived is refused by the hourly sweep (a
# lost worker or task): well past the extraction task's time limit and retries.
ACOMPANA_H5P_PREPARE_MINUTES = env.int("ACOMPANA_H5P_PREPARE_MINUTES", default=60)
# A review shows text diffs of changed library files up to this size (bytes) each.
ACOMPANA_H5P_REVIEW_DIFF_BYTES = 256 * 1024
# xAPI from the H5P player (courses/h5p/xapi.py). A launch token is valid this long; the module
# page asks for a fresh one when it expires, so a learner who leaves a page open loses nothing.
# The player's own URL (its signed launch: courses/h5p/origin.py) is valid this long too.
ACOMPANA_H5P_LAUNCH_SECONDS = env.int("ACOMPANA_H5P_LAUNCH_SECONDS", default=60 * 60)
# Raw statements are kept for audit this many days, then deleted (completion records stay).
ACOMPANA_H5P_STATEMENT_DAYS = env.int("ACOMPANA_H5P_STATEMENT_DAYS", default=180)
# Of each statement only what the audit needs is stored, in at most this many bytes of JSON;
# past this many statements a day, a learner's statements are accepted but only those that
# complete an activity are stored (courses/h5p/xapi.py statement_kept; courses/h5p/services.py
# daily_quota_over).
ACOMPANA_H5P_STATEMENT_STORED_BYTES = env.int("ACOMPANA_H5P_STATEMENT_STORED_BYTES", default=4096)
ACOMPANA_H5P_STATEMENTS_PER_DAY = env.int("ACOMPANA_H5P_STATEMENTS_PER_DAY", default=1000)
# Per learner, requests a minute (statements and saved state together), and body sizes.
ACOMPANA_H5P_XAPI_RATE = 240
ACOMPANA_H5P_XAPI_MAX_BYTES = 64 * 1024
ACOMPANA_H5P_STATE_MAX_BYTES = 256 * 1024
# Where `seed_demo` finds the sample H5P packages for the demo's practice module.
ACOMPANA_DEMO_H5P_DIR = BASE_DIR.parent / "shared" / "h5p-samples"
# Sign-ups whose email is never confirmed are deleted after this many days.
# Certificates (PDF) and pool exports: private files, outside MEDIA_ROOT, served only by views
# that check who asks.
ACOMPANA_PRIVATE_ROOT = Path(env("ACOMPANA_PRIVATE_ROOT", default=str(BASE_DIR / "private")))
# Hours a pool spreadsheet's download link works before the file is deleted.
ACOMPANA_EXPORT_HOURS = env.int("ACOMPANA_EXPORT_HOURS", default=24)
# Days the pool details of someone who left the pool (or whose certificate ended) are kept, in
# case they come back; then a daily task deletes them. Their certificates stay.
ACOMPANA_POOL_LEFT_DAYS = env.int("ACOMPANA_POOL_LEFT_DAYS", default=180)
# Days before a certificate expires when its holder is reminded to renew.
ACOMPANA_RENEWAL_REMINDER_DAYS = (90, 30, 7)
# Verification page: requests a minute from one address.
ACOMPANA_VERIFY_RATE = 30
# Pool API: requests a minute per token.
ACOMPANA_API_RATE = 120
# A certificate's name changes and "try again" (each may render a PDF): a minute per person.
ACOMPANA_CERTIFICATE_RENDER_RATE = 5
# A cohort's invitation code form: tries a minute per account, and per client address (looser:
# a training room behind one address may enter a code together).
ACOMPANA_INVITATION_CODE_RATE = 10
ACOMPANA_INVITATION_CODE_RATE_PER_ADDRESS = 60
# A trainer's invitation to a cohort (bulk enrolment): the link works this many days; the record
# of an invitation (an email address, perhaps of someone who never agreed to anything) is deleted
# this many days after it was answered, cancelled or expired.
ACOMPANA_COHORT_INVITATION_DAYS = env.int("ACOMPANA_COHORT_INVITATION_DAYS", default=14)
ACOMPANA_COHORT_INVITATION_KEEP_DAYS = env.int("ACOMPANA_COHORT_INVITATION_KEEP_DAYS",
                                               default=90)  # fmt: skip
# Invitation emails one trainer may send in 24 hours (lists and resends together): a trainer's
# account, or a stolen one, cannot turn the platform into a mass mailer.
ACOMPANA_COHORT_INVITATIONS_PER_DAY = env.int("ACOMPANA_COHORT_INVITATIONS_PER_DAY", default=500)
ACOMPANA_UNVERIFIED_ACCOUNT_DAYS = env.int("ACOMPANA_UNVERIFIED_ACCOUNT_DAYS", default=14)

# --- Personal data (training/privacy.py declares every kind; README "Personal data") ----------
# How long the audit log keeps an entry (who did what to whose data, from which address).
ACOMPANA_AUDIT_LOG_DAYS = env.int("ACOMPANA_AUDIT_LOG_DAYS", default=730)
# Where people ask about their data (an email address or a web address), shown on /privacy/.
ACOMPANA_PRIVACY_CONTACT = env("ACOMPANA_PRIVACY_CONTACT", default="")
# Where people can write for help (an email address or a web address), shown where a page says
# "write to us" (the email-confirmation page). Unset: the privacy contact, if there is one.
ACOMPANA_CONTACT = env("ACOMPANA_CONTACT", default="")
# Between "delete my account" and the deletion itself: signing in during this time cancels it.
ACOMPANA_DELETION_GRACE_DAYS = env.int("ACOMPANA_DELETION_GRACE_DAYS", default=14)
# How long a "download my data" archive can be downloaded before its file is deleted.
ACOMPANA_DATA_DOWNLOAD_HOURS = env.int("ACOMPANA_DATA_DOWNLOAD_HOURS", default=48)
# How many archives a person may ask for in 24 hours (failed ones do not count).
ACOMPANA_DATA_DOWNLOADS_PER_DAY = env.int("ACOMPANA_DATA_DOWNLOADS_PER_DAY", default=3)
# Applications declined or withdrawn (the person never became a member): answers deleted after.
ACOMPANA_CLOSED_APPLICATION_DAYS = env.int("ACOMPANA_CLOSED_APPLICATION_DAYS", default=365)
# What a device sent with an idempotency key, and the first answer (training/idempotency.py):
# the same thing sent again within this time is recorded once.
ACOMPANA_IDEMPOTENCY_DAYS = env.int("ACOMPANA_IDEMPOTENCY_DAYS", default=30)
# The record of each message sent (which keeps a message from being sent twice).
ACOMPANA_NOTIFICATION_LOG_DAYS = env.int("ACOMPANA_NOTIFICATION_LOG_DAYS", default=365)
# A calendar-feed address never used, or not used for this long, stops working and is deleted.
ACOMPANA_CALENDAR_FEED_UNUSED_DAYS = env.int("ACOMPANA_CALENDAR_FEED_UNUSED_DAYS", default=180)
# Private well-being check-ins (care/): deleted this many days after they were answered.
ACOMPANA_CHECKIN_RETENTION_DAYS = env.int("ACOMPANA_CHECKIN_RETENTION_DAYS", default=180)
# Roles that hold other people's data must protect their account with a second factor.
ACOMPANA_MFA_REQUIRED_PATHS = [
    "/admin/",
    "/dashboard/trainer/",
    "/dashboard/coordinator/",
    "/pool/",
]
