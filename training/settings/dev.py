"""Development: `make run`. SQLite file, tasks run eagerly, emails printed to the console."""

from .base import *  # noqa: F403
from .base import ACOMPANA_PLATFORM_ORIGIN, BASE_DIR, MIDDLEWARE, env, with_engine_options

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# Development only: a fixed key is fine because this settings module never serves real people.
SECRET_KEY = env(
    "DJANGO_SECRET_KEY", default="dev-only-insecure-key-0123456789-abcdefghijklmnopqrstuvwxyz"
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
DATABASES = {
    "default": with_engine_options(
        env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# A missing page shows the site's own 404 page, as in production, rather than Django's list of
# URL patterns (training/friendly_errors.py); errors keep Django's traceback page. Set
# ACOMPANA_TECHNICAL_404=true to see Django's page for a 404 while debugging the URLs.
if DEBUG and not env.bool("ACOMPANA_TECHNICAL_404", default=False):
    MIDDLEWARE = [*MIDDLEWARE, "training.friendly_errors.FriendlyNotFoundMiddleware"]
# Links in the admin's emails: the address `make run` serves (its HOST and PORT).
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default=ACOMPANA_PLATFORM_ORIGIN)
