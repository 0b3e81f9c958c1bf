"""The transactional outbox (training/outbox.py), in this process: a broker that refuses or
accepts, as the test says. The real broker stopped and started again: test_redis_down.py."""

import pytest
from django.conf import settings
from django.db import transaction
from kombu.exceptions import OperationalError

from training import outbox
from training.models import OutboxTask
from training.tasks import clear_expired_sessions, relay_outbox

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


class Broker:
    """Stands for Celery's publish: accepts (records the task) or refuses, as told."""

    def __init__(self):
        self.up = True
        self.received = []

    def __call__(self, row):
        if not self.up:
            raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        self.received.append((row.task, row.args, str(row.task_id)))


@pytest.fixture
def broker(monkeypatch):
    broker = Broker()
    monkeypatch.setattr(outbox, "_eager", lambda task: False)
    monkeypatch.setattr(outbox, "_publish", broker)
    monkeypatch.setitem(outbox._state, "failed", False)
    return broker


def test_eager_mode_runs_the_task_at_the_commit_and_writes_no_row(monkeypatch):
    ran = []
    monkeypatch.setattr(clear_expired_sessions, "delay", lambda *args: ran.append(args))
    with transaction.atomic():
        assert outbox.queue(clear_expired_sessions) is None
        assert ran == []  # not before the commit
    assert ran == [()]
    assert not OutboxTask.objects.exists()


def test_a_task_is_a_row_of_the_transaction_and_is_sent_after_the_commit(broker):
    with transaction.atomic():
        row = outbox.queue(clear_expired_sessions)
        assert OutboxTask.objects.filter(pk=row.pk, sent_at=None).exists()
        assert broker.received == []
    assert broker.received == [(clear_expired_sessions.name, [], str(row.task_id))]
    assert OutboxTask.objects.get(pk=row.pk).sent_at is not None


def test_a_rolled_back_transaction_sends_nothing(broker):
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.queue(clear_expired_sessions)
        raise RuntimeError("the change failed")
    assert broker.received == []
    assert not OutboxTask.objects.exists()


def test_broker_down_keeps_the_row_and_the_next_successful_send_relays_it(broker):
    broker.up = False
    with transaction.atomic():  # the request's transaction commits; the send fails after it
        lost = outbox.queue(clear_expired_sessions)
    lost.refresh_from_db()
    assert lost.sent_at is None, "marked sent though the broker refused it"
    assert lost.attempts == 1 and "Connection refused" in lost.last_error
    assert [row.pk for row in outbox.waiting()] == [lost.pk]

    broker.up = True
    with transaction.atomic():
        later = outbox.queue(clear_expired_sessions)
    assert [task_id for _name, _args, task_id in broker.received] == [
        str(later.task_id),
        str(lost.task_id),
    ]
    assert not OutboxTask.objects.filter(sent_at=None).exists()


def test_the_beat_task_relays_what_waits_and_a_refusal_leaves_the_rest(broker):
    broker.up = False
    rows = [outbox.queue(clear_expired_sessions) for _ in range(3)]
    assert OutboxTask.objects.filter(sent_at=None).count() == 3
    assert relay_outbox() == 0  # still down: nothing marked
    assert OutboxTask.objects.filter(sent_at=None).count() == 3

    broker.up = True
    assert relay_outbox() == 3
    assert sorted(task_id for *_rest, task_id in broker.received) == sorted(
        str(row.task_id) for row in rows
    )
    assert relay_outbox() == 0  # idempotent: nothing sent twice
    assert len(broker.received) == 3


def test_a_row_whose_process_died_before_sending_is_relayed_after_the_grace(broker, monkeypatch):
    # Committed, but its process never got to send it (no attempt recorded).
    row = OutboxTask.objects.create(task=clear_expired_sessions.name)
    assert relay_outbox() == 0  # its own process may still be sending it
    monkeypatch.setattr(settings, "ACOMPANA_OUTBOX_GRACE_SECONDS", -1)
    assert relay_outbox() == 1
    assert broker.received[0][2] == str(row.task_id)


def test_the_relay_runs_every_minute_and_tasks_are_requeued_when_a_worker_is_lost():
    assert settings.CELERY_BEAT_SCHEDULE["outbox-relay"] == {
        "task": "training.tasks.relay_outbox", "schedule": 60,
    }  # fmt: skip
    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST is True
    # Longer than the longest task time limit (data downloads: 15 minutes).
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > 15 * 60
