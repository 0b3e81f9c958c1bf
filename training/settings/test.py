"""Tests: fast hasher, local-memory cache, eager Celery that propagates errors.

Set DATABASE_URL to run on PostgreSQL (CI does); SQLite otherwise. Integration tests that
start a real worker override the eager setting in the worker's own environment.
"""

from training.storage import storages_setting

from .base import *  # noqa: F403
from .base import BASE_DIR, env, with_engine_options

DEBUG = False
SECRET_KEY = "test-only-key-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost", "h5p.testserver"]
H5P_ORIGIN = "http://h5p.testserver"
ACOMPANA_PLATFORM_ORIGIN = "http://testserver"
# Each test extracts its packages again: brotli's best quality would take seconds each time.
ACOMPANA_H5P_BROTLI_QUALITY = 4
DATABASES = {
    "default": with_engine_options(
        env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'test.sqlite3'}")
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/14")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL)
# Local folders whatever ACOMPANA_STORAGE says (S3: tests/training/test_object_storage.py).
ACOMPANA_STORAGE = "local"
STORAGES = storages_setting("local")
MEDIA_ROOT = BASE_DIR / ".test-media"
# Rate limits are tested on purpose where they matter; elsewhere they would make tests flaky.
ACCOUNT_RATE_LIMITS = False
