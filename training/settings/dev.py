"""Development: `make run`. SQLite file, tasks run eagerly, emails printed to the console."""

from .base import *  # noqa: F403
from .base import BASE_DIR, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# Development only: a fixed key is fine because this settings module never serves real people.
SECRET_KEY = env(
    "DJANGO_SECRET_KEY", default="dev-only-insecure-key-0123456789-abcdefghijklmnopqrstuvwxyz"
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
WAGTAILADMIN_BASE_URL = "http://127.0.0.1:8000"
