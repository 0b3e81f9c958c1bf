"""Background tasks that are never lost when the broker is down: a transactional outbox.

`queue(task, *args)` replaces Celery's `task.delay_on_commit(*args)`. It writes the task (its
name and arguments) as a row of `OutboxTask` in the caller's transaction, so the task exists
exactly when the change that asked for it is committed. After the commit the task is sent to
the broker; the row is marked sent only once the broker has accepted the message. When sending
fails (Redis stopped, the network gone) the row stays, the request goes on (it has committed)
and the task is sent later by `relay()`:

- at the next successful send of the same process (no query is added to other sends);
- by the beat task `training.tasks.relay_outbox`, every minute, for every process.

A task may so be sent twice (a send that reached the broker just before its process died,
two relays at once): every task is idempotent by design (see each app's tasks.py), so a
duplicate changes nothing. What is guaranteed: a committed change's task is run at least once.

Outside a transaction (a receiver of courses' completion signals, sent after the commit; the
cache's clear after a dropped write, training/cache.py) the row is written at once and sent:
the broker being down loses nothing there either.

Every task of the apps is queued here: tests/test_queueing.py fails on a direct `.delay()`,
`.apply_async()`, `.delay_on_commit()` or `send_task()` anywhere else (one of those blocks the
request for about 20 seconds, raises, and loses the task when Redis is down).

Eager mode (`make run`, tests: CELERY_TASK_ALWAYS_EAGER) writes no row: the task runs in the
process at the commit, exactly as `delay_on_commit` did.

Only training imports from here (the first app): later apps pass their own task objects.
"""

import functools
import logging
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from .models import OutboxTask

logger = logging.getLogger(__name__)

# A send gives up quickly when the broker does not answer: the row waits for the relay.
RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
RELAY_BATCH = 200

# This process failed to send a task: its next successful send relays what is waiting.
_state = {"failed": False, "relaying": False}


def _eager(task) -> bool:
    return bool(task.app.conf.task_always_eager)


def queue(task, *args, robust: bool = False, **kwargs) -> OutboxTask | None:
    """Run `task(*args, **kwargs)` in the background once the current transaction commits
    (at once outside one). Returns the outbox row (None in eager mode). `robust` (eager mode
    only, where the task runs in the committing process): an error of the task is logged, not
    raised to the caller (Django's `on_commit(robust=True)`). The task itself must be
    idempotent; its arguments JSON."""
    if _eager(task):
        if robust:
            transaction.on_commit(functools.partial(task.delay, *args, **kwargs), robust=True)
        else:
            task.delay_on_commit(*args, **kwargs)
        return None
    row = OutboxTask.objects.create(task=task.name, args=list(args), kwargs=kwargs)
    transaction.on_commit(functools.partial(_send_committed, row))
    return row


class _Queued:
    """An on-commit callback that does nothing but mark `key` queued in this transaction: it goes
    with the transaction (committed, rolled back, a savepoint rolled back), or is run."""

    def __init__(self, key: tuple):
        self.key, self.ran = key, False

    def __call__(self) -> None:
        self.ran = True


def queue_once(task, *args) -> OutboxTask | None:
    """`queue(task, *args)`, once per transaction however often a change asks for it (a cohort
    deleted with its sessions, each deleted with a signal of its own, queues one task). Outside
    a transaction, as `queue`."""
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        key = (task.name, *args)
        # Django keeps the transaction's on-commit callbacks there: (savepoints, callback,
        # robust) each; a rolled-back savepoint takes its own with it.
        for _savepoints, callback, _robust in connection.run_on_commit:
            if isinstance(callback, _Queued) and callback.key == key and not callback.ran:
                return None
        transaction.on_commit(_Queued(key))
    return queue(task, *args)


def _task_for(name: str):
    from celery import current_app  # noqa: PLC0415 - the app configured by training/celery.py

    return current_app.tasks.get(name)


def _publish(row: OutboxTask) -> None:
    """Hand the row's task to the broker; raises when the broker did not accept it.

    Without a result: nothing reads one (tasks record what they did in the database), and
    asking for it makes Celery subscribe the sending process to the task's result channel, which
    with Redis down retries for about 20 seconds (holding the request), then breaks the process's
    result consumer for good."""
    options = {
        "task_id": str(row.task_id), "retry": True, "retry_policy": RETRY_POLICY,
        "ignore_result": True,
    }  # fmt: skip
    task = _task_for(row.task)
    if task is not None:
        task.apply_async(args=row.args, kwargs=row.kwargs, **options)
    else:  # registered in the worker only: sent by name
        from celery import current_app  # noqa: PLC0415

        current_app.send_task(row.task, args=row.args, kwargs=row.kwargs, **options)


def _failed(row: OutboxTask, error: Exception) -> None:
    _state["failed"] = True
    logger.warning(
        "outbox: task %s (%s) not sent, kept for the relay: %r", row.task, row.task_id, error
    )
    try:
        with transaction.atomic():  # a savepoint inside the relay's transaction
            OutboxTask.objects.filter(pk=row.pk, sent_at__isnull=True).update(
                attempts=F("attempts") + 1, last_error=repr(error)[:200]
            )
    except DatabaseError:
        logger.exception("outbox: could not record the failed send of %s", row.task_id)


def _mark_sent(row: OutboxTask) -> None:
    try:
        with transaction.atomic():
            OutboxTask.objects.filter(pk=row.pk).update(sent_at=timezone.now())
    except DatabaseError:
        # Sent but not marked: the relay sends it again (a duplicate, harmless).
        logger.exception("outbox: task %s sent but not marked sent", row.task_id)


def send(row: OutboxTask) -> bool:
    """Send one row now; True when the broker accepted it (and the row is marked sent)."""
    try:
        _publish(row)
    except Exception as error:  # the broker (or the result backend) is unreachable
        _failed(row, error)
        return False
    _mark_sent(row)
    return True


def _send_committed(row: OutboxTask) -> None:
    if send(row) and _state["failed"] and not _state["relaying"]:
        _state["failed"] = False
        try:
            relay(limit=RELAY_BATCH)
        except Exception:
            logger.exception("outbox: relay after a successful send failed")


def waiting() -> QuerySet[OutboxTask]:
    """Rows to relay: sends that failed, and rows older than ACOMPANA_OUTBOX_GRACE_SECONDS
    whose commit-time send never reported (the process died between its commit and its send).
    Newer rows are left to their own process's send."""
    cutoff = timezone.now() - timedelta(seconds=settings.ACOMPANA_OUTBOX_GRACE_SECONDS)
    return OutboxTask.objects.filter(sent_at__isnull=True).filter(
        Q(attempts__gt=0) | Q(created_at__lt=cutoff)
    )


def relay(*, limit: int = RELAY_BATCH) -> int:
    """Send the waiting rows, oldest first, until the broker refuses one; returns how many were
    sent. Rows another relay is sending at the same time are skipped (locked)."""
    sent = 0
    _state["relaying"] = True
    try:
        with transaction.atomic():
            rows = list(
                waiting().select_for_update(skip_locked=True).order_by("created_at", "pk")[:limit]
            )
            for row in rows:
                if not send(row):
                    break
                sent += 1
    finally:
        _state["relaying"] = False
    if sent:
        _state["failed"] = False
        logger.info("outbox: relayed %s task(s)", sent)
    return sent


def purge() -> int:
    """Forget rows sent more than ACOMPANA_OUTBOX_KEEP_DAYS ago (they only help tracing)."""
    cutoff = timezone.now() - timedelta(days=settings.ACOMPANA_OUTBOX_KEEP_DAYS)
    deleted, _kinds = OutboxTask.objects.filter(sent_at__lt=cutoff).delete()
    return deleted
