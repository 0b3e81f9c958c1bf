"""Every background task is queued through the outbox (training/outbox.py `queue`), never sent to
the broker directly: a direct `.delay()` blocks the request for about 20 seconds and raises when
Redis is down, and the task is lost (README, "Faults survived").

Each .py file of the apps is read with `ast` (as tests/test_layers.py does), so a call inside a
function counts as much as one at the top level.
"""

import ast
from pathlib import Path

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError

from courses.models import CoursePage
from courses.signals import course_completed
from tests.test_layers import LAYERS, ROOT
from training import outbox
from training.factories import UserFactory
from training.models import OutboxTask

# Celery's ways of sending a task to the broker.
SENDING = frozenset({"delay", "apply_async", "delay_on_commit", "send_task"})
# The one place that sends.
OUTBOX = "training/outbox.py"
# A task that queues another directly (a task runs in the worker, outside any request; the
# outbox is still the rule): (file, line's code) -> why. None today; an entry that no longer
# matches fails test_the_allowed_calls_are_all_still_needed.
ALLOWED: dict[tuple[str, str], str] = {}


def direct_sends(path: Path, root: Path = ROOT) -> list[tuple[str, int, str]]:
    relative = path.relative_to(root).as_posix()
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=relative)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in SENDING
        ):
            found.append((relative, node.lineno, ast.unparse(node)))
    return found


def all_direct_sends() -> list[tuple[str, int, str]]:
    found = []
    for app in LAYERS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if path.relative_to(ROOT).as_posix() != OUTBOX and "/migrations/" not in str(path):
                found += direct_sends(path)
    return found


def test_tasks_are_queued_only_through_the_outbox():
    found = [
        f"{path}:{line}: {code}"
        for path, line, code in all_direct_sends()
        if (path, code) not in ALLOWED
    ]
    assert not found, (
        "Queue background tasks with training.outbox.queue(task, *args), not directly:\n"
        + "\n".join(found)
    )


def test_the_allowed_calls_are_all_still_needed():
    used = {(path, code) for path, _line, code in all_direct_sends()}
    assert not set(ALLOWED) - used, f"Fixed, remove from ALLOWED: {sorted(set(ALLOWED) - used)}"


def test_the_checker_finds_every_way_of_sending(tmp_path):
    module = tmp_path / "certificates" / "signals.py"
    module.parent.mkdir(parents=True)
    module.write_text(
        "def changed(user):\n"
        "    tasks.evaluate_person.delay(user.pk)\n"
        "    tasks.evaluate_person.apply_async(args=[user.pk])\n"
        "    evaluate_person.delay_on_commit(user.pk)\n"
        "    current_app.send_task('certificates.tasks.evaluate_person', args=[1])\n"
        "    outbox.queue(tasks.evaluate_person, user.pk)\n"
        "    delay(3)\n"
    )
    found = [line for _path, line, _code in direct_sends(module, root=tmp_path)]
    assert sorted(found) == [2, 3, 4, 5]


@pytest.mark.django_db(transaction=True)
def test_a_completed_course_is_evaluated_through_the_outbox_with_the_broker_down(monkeypatch):
    def refuse(row):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(outbox, "_eager", lambda task: False)
    monkeypatch.setattr(outbox, "_publish", refuse)
    monkeypatch.setitem(outbox._state, "failed", False)
    volunteer = UserFactory()
    # courses.services sends it after the completion's commit.
    course_completed.send(
        sender=CoursePage, user=volunteer, course=None, completed_at=timezone.now()
    )
    row = OutboxTask.objects.get(task="certificates.tasks.evaluate_person")
    assert row.args == [volunteer.pk]
    assert row.sent_at is None and row.attempts == 1  # kept, sent when the broker is back
