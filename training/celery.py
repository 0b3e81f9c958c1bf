"""Celery, wired the cookiecutter-django way: settings from Django, tasks autodiscovered."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "training.settings.dev")

app = Celery("acompana")
# Every CELERY_* Django setting configures the app (see training/settings/base.py).
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
