"""Retention you can see: every scheduled task that deletes personal data past its period
records each of its runs (`RetentionRun`), and the Retention report in the admin shows them
beside the periods the privacy registry declares (training/privacy.py).

A retention task wraps its body in `@retention(name)` (under `@shared_task`): the body returns
how many rows (or files) it removed, or `removed=` says how to read that from what it returns.
A run that fails is recorded as failed, and the error raised again so that Celery retries.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count, Max, OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import privacy
from .models import RetentionRun

logger = logging.getLogger(__name__)

# Runs are kept this long (the report shows the last 30 days); older ones leave as runs come.
RUN_HISTORY_DAYS = 90
REPORT_WINDOW_DAYS = 30


@dataclass
class Run:
    """What the body of a run reports: how many rows or files it removed."""

    task: str
    removed: int = 0


def _error_kind(error: BaseException) -> str:
    # The kind only: an exception's message may quote a row (an email in an IntegrityError).
    return type(error).__name__[:200]


def _finish(pk: int, *, ok: bool, removed: int, error: str = "") -> None:
    RetentionRun.objects.filter(pk=pk).update(
        finished_at=timezone.now(), ok=ok, removed=max(removed, 0), error=error
    )


@contextmanager
def recording(task: str) -> Iterator[Run]:
    """Record one run of `task`; set `.removed` on what it yields. A failure is recorded, then
    raised again."""
    now = timezone.now()
    pk = RetentionRun.objects.create(task=task, started_at=now).pk
    run = Run(task=task)
    try:
        yield run
    except BaseException as error:
        try:
            _finish(pk, ok=False, removed=run.removed, error=_error_kind(error))
        except DatabaseError:  # the database itself is what failed: the logs say it
            logger.exception("Could not record the failed run of %s", task)
        raise
    _finish(pk, ok=True, removed=run.removed)
    RetentionRun.objects.filter(
        task=task, started_at__lt=now - timedelta(days=RUN_HISTORY_DAYS)
    ).delete()


def retention(task: str, *, removed: Callable[[Any], int] | None = None):
    """Decorate a retention task's body (under `@shared_task(name=task)`): each run is recorded.
    `removed(result)` reads the number removed from the body's result (default: the result)."""

    def decorate(function):
        @functools.wraps(function)
        def recorded(*args, **kwargs):
            with recording(task) as run:
                result = function(*args, **kwargs)
                run.removed = int(removed(result) if removed else result)
            return result

        recorded.retention_task = task
        return recorded

    return decorate


# --- The report ---------------------------------------------------------------------------------
def beat_schedule(task: str):
    """The schedule CELERY_BEAT_SCHEDULE gives `task` (the first entry naming it), or None."""
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        if entry.get("task") == task:
            return entry.get("schedule")
    return None


def _interval(schedule) -> timedelta | None:
    if isinstance(schedule, int | float):
        return timedelta(seconds=schedule)
    if isinstance(schedule, timedelta):
        return schedule
    run_every = getattr(schedule, "run_every", None)  # celery.schedules.schedule
    return run_every if isinstance(run_every, timedelta) else None


def next_run(schedule, last_started, now=None):
    """When beat runs the task next: its last run plus the interval (None before a first run)."""
    if last_started is None or schedule is None:
        return None
    interval = _interval(schedule)
    if interval is not None:
        return last_started + interval
    if hasattr(schedule, "remaining_estimate"):  # a crontab
        return (now or timezone.now()) + schedule.remaining_estimate(last_started)
    return None


def describe_interval(schedule) -> str:
    interval = _interval(schedule)
    if interval is None:
        return str(schedule) if schedule is not None else ""
    minutes = int(interval.total_seconds() // 60)
    if minutes % (60 * 24) == 0:
        days = minutes // (60 * 24)
        return ngettext("Every day", "Every %(n)d days", days) % {"n": days}
    if minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("Every hour", "Every %(n)d hours", hours) % {"n": hours}
    return ngettext("Every minute", "Every %(n)d minutes", minutes) % {"n": minutes}


@dataclass
class Row:
    task: str
    declarations: list = field(default_factory=list)  # [(category, declaration, period)]
    schedule: Any = None
    every: str = ""
    last: RetentionRun | None = None
    last_succeeded_at: Any = None
    removed_recently: int = 0
    failures_recently: int = 0
    next_at: Any = None

    @property
    def state(self) -> str:
        if self.last is None:
            return "never"
        if self.last.finished_at is None:
            return "running"
        return "ok" if self.last.ok else "failed"

    @property
    def state_label(self):
        return STATES[self.state]

    @property
    def overdue(self) -> bool:
        return self.next_at is not None and self.next_at < timezone.now() - timedelta(hours=1)


STATES = {
    "never": _("Not run yet"),
    "running": _("Running, or stopped before it finished"),
    "ok": _("Succeeded"),
    "failed": _("Failed"),
}


def report_rows(now=None) -> list[Row]:
    """One row per retention task named in the privacy registry, with what it enforces and its
    runs. Two queries, whatever the number of tasks or runs."""
    now = now or timezone.now()
    found = privacy.tasks()
    names = sorted(found)
    latest = RetentionRun.objects.filter(task=OuterRef("task")).order_by("-started_at", "-pk")
    last_runs = {
        run.task: run
        for run in RetentionRun.objects.filter(task__in=names, pk=Subquery(latest.values("pk")[:1]))
    }
    since = now - timedelta(days=REPORT_WINDOW_DAYS)
    totals = {
        row["task"]: row
        for row in RetentionRun.objects.filter(task__in=names)
        .values("task")
        .annotate(
            removed_recently=Sum("removed", filter=Q(started_at__gte=since, ok=True)),
            failures_recently=Count(
                "pk", filter=Q(started_at__gte=since, ok=False, finished_at__isnull=False)
            ),
            last_succeeded_at=Max("finished_at", filter=Q(ok=True)),
        )
    }
    rows = []
    for name in names:
        schedule = beat_schedule(name)
        last = last_runs.get(name)
        total = totals.get(name, {})
        declarations = sorted(found[name], key=lambda d: (d.category, d.model))
        rows.append(
            Row(
                task=name,
                declarations=[
                    (privacy.CATEGORIES[d.category], d, d.retention.describe())
                    for d in declarations
                ],
                schedule=schedule,
                every=describe_interval(schedule),
                last=last,
                last_succeeded_at=total.get("last_succeeded_at"),
                removed_recently=total.get("removed_recently") or 0,
                failures_recently=total.get("failures_recently") or 0,
                next_at=next_run(schedule, last.started_at if last else None, now),
            )
        )
    return rows
