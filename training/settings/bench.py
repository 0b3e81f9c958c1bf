"""Benchmarks: `make bench` (bench/run.py). Production-like request path, fast test helpers.

DEBUG is off so that pages render as they would for real people. The database comes from
BENCH_DATABASE_URL (SQLite file bench/bench.sqlite3 otherwise); it is never the development or
test database, because the benchmark seeds ten thousand accounts into it.
"""

from training.storage import storages_setting

from .base import *  # noqa: F403
from .base import BASE_DIR, env, with_engine_options

DEBUG = False
# Benchmarks only: a fixed key is fine because this settings module never serves real people.
SECRET_KEY = "bench-only-key-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
DATABASES = {
    "default": with_engine_options(
        env.db("BENCH_DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'bench' / 'bench.sqlite3'}")
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
ACOMPANA_STORAGE = "local"
STORAGES = storages_setting("local")
# One client makes every request from one address: rate limits would measure themselves.
ACCOUNT_RATE_LIMITS = False
