"""Deleting cannot single anyone out: the trainers' totals count frozen batches of five people's
first answers, and a deleted answer (by the person, with the account, by the retention purge)
drops its whole batch for good. Compared before and after, the totals differ by whole batches of
five people, never by one person's answer."""

import importlib
import random
import threading
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from care import services, tasks
from care.models import CheckIn, CheckInBatch
from care.selectors import CARE_MIN_GROUP, cohort_aggregates
from care.services import checkin_batches_form, checkin_create
from tests.care.conftest import member_of
from tests.conftest import skip_or_fail
from training.deletion import account_deletion_request, account_erase
from training.models import AccountDeletion

pytestmark = pytest.mark.django_db


def _answer(person, cohort, carrying, energy=3, module=None):
    return checkin_create(user=person, cohort=cohort, carrying=carrying, energy=energy,
                          module=module, kind=CheckIn.Kind.WEEKLY)  # fmt: skip


def _seen(cohort) -> tuple:
    """What the trainer reads of the cohort's totals."""
    group = cohort_aggregates(cohort)["overall"]
    return (group.shown, group.answers, group.carrying, group.energy, group.debrief)


def _signed_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def _counted(cohort) -> dict[int, frozenset]:
    """The live batches of the cohort as the totals count them: {batch: its answers}."""
    found: dict = {}
    for pk, batch in CheckIn.objects.filter(batch__cohort=cohort, batch__dropped_at__isnull=True
                                            ).values_list("pk", "batch_id"):  # fmt: skip
        found.setdefault(batch, set()).add(pk)
    return {batch: frozenset(answers) for batch, answers in found.items()}


# --- The attack of the review: 11 people shown as 10, one of the first ten deletes --------------
def test_a_deletion_changes_the_totals_by_a_whole_batch_never_by_one_person(cohort, trainer_client):
    people = [member_of(cohort, f"Person {i}") for i in range(11)]
    # Carrying 1 for the first five, 2 for the next five; the eleventh carries 5.
    answers = [_answer(person, cohort, carrying=1 if i < 5 else 2 if i < 10 else 5)
               for i, person in enumerate(people)]  # fmt: skip
    before = _seen(cohort)
    assert before == (True, 10, 1.5, 3.0, 0)

    # Person 2 deletes their answer. Counting the first ten people again would now take the
    # eleventh's answer instead: the difference would be the two people's answers.
    response = _signed_in(people[2]).post(reverse("care:check_in_delete", args=[answers[2].pk]))
    assert response.status_code == 302
    after = _seen(cohort)
    assert after == (True, 5, 2.0, 3.0, 0)  # the second batch, whole: people 5 to 9
    assert before[1] - after[1] == CARE_MIN_GROUP
    page = trainer_client.get(reverse("care:trainer_care", args=[cohort.slug])).content.decode()
    assert "<dd>5</dd>" in page and "<dd>2.0</dd>" in page

    # The dropped batch's other people never count again, even answering anew: with them, the
    # totals would tell the deleted answer apart.
    for i in (0, 1, 3, 4):
        _answer(people[i], cohort, carrying=4)
    assert _seen(cohort) == after
    # Four new people and the eleventh make a new batch: the totals move by five new answers.
    newcomers = [member_of(cohort, f"Newcomer {i}") for i in range(4)]
    for person in newcomers:
        _answer(person, cohort, carrying=5)
    assert _seen(cohort) == (True, 10, 3.5, 3.0, 0)  # (5 x 2 + 5 x 5) / 10


def _eleven(cohort):
    people = [member_of(cohort, f"Person {i}") for i in range(11)]
    return people, [_answer(person, cohort, carrying=1 + i % 5) for i, person in enumerate(people)]


def _by_the_person(person, answer):
    _signed_in(person).post(reverse("care:check_in_delete", args=[answer.pk]))


def _all_of_theirs(person, answer):
    _signed_in(person).post(reverse("care:check_ins_delete_all"), {"confirm": "yes"})


def _with_the_account(person, answer):
    deletion = account_deletion_request(person=person, by=person)
    AccountDeletion.objects.filter(pk=deletion.pk).update(
        due_at=timezone.now() - timedelta(minutes=1)
    )
    assert account_erase(deletion_id=deletion.pk)


def _by_the_purge(person, answer):
    CheckIn.objects.filter(pk=answer.pk).update(created_at=timezone.now() - timedelta(days=400))
    assert tasks.purge_checkins() == 1


@pytest.mark.parametrize("delete", [_by_the_person, _all_of_theirs, _with_the_account,
                                    _by_the_purge])  # fmt: skip
def test_every_way_of_deleting_drops_the_whole_batch(cohort, delete):
    people, answers = _eleven(cohort)
    batches = _counted(cohort)
    assert len(batches) == 2 and _seen(cohort)[1] == 10
    delete(people[7], answers[7])
    assert not CheckIn.objects.filter(pk=answers[7].pk).exists()
    (kept,) = _counted(cohort).values()
    assert answers[7].pk not in kept and kept in batches.values()
    assert _seen(cohort)[1] == 5
    dropped = CheckInBatch.objects.exclude(checkins__in=kept).distinct().get()
    assert dropped.dropped_at is not None


def test_answers_not_in_a_batch_come_and_go_unseen(cohort):
    people, answers = _eleven(cohort)
    before = _seen(cohort)
    # The eleventh waits for four more people; their deletion changes nothing seen, nor does a
    # person's second answer and its deletion.
    _by_the_person(people[10], answers[10])
    again = _answer(people[0], cohort, carrying=5)
    assert _seen(cohort) == before
    _by_the_person(people[0], again)
    assert _seen(cohort) == before
    assert CheckInBatch.objects.filter(dropped_at__isnull=False).count() == 0


# --- Whatever happens, the totals move by whole batches -----------------------------------------
def test_any_sequence_of_answers_and_deletions_moves_the_totals_by_whole_batches(cohort, settings):
    """Many people answer, answer again, delete one answer, all of theirs, or leave with their
    account, in a random (seeded) order; the purge runs now and then. After every step, the
    answers counted differ from the step before by whole batches of five people, an answer
    once uncounted never counts again, and a person whose answer is kept in a dropped batch
    never counts again."""
    settings.ACOMPANA_CHECKIN_RETENTION_DAYS = 30
    chance = random.Random(22)
    people = [member_of(cohort, f"Person {i}") for i in range(24)]
    gone: set[int] = set()  # accounts deleted
    uncounted: set[int] = set()  # answers that counted once and stopped
    counted = _counted(cohort)
    burnt: set[int] = set()  # people with an answer kept in a dropped batch, before the step
    formed = 0
    for step in range(90):
        alive = [p for p in people if p.pk not in gone]
        roll = chance.random()
        mine = list(CheckIn.objects.filter(user__in=alive).values_list("pk", "user_id"))
        if roll < 0.6 or not mine:
            _answer(chance.choice(alive), cohort, carrying=chance.randint(1, 5))
        elif roll < 0.8:
            pk, user_id = chance.choice(mine)
            services.checkin_delete(user=next(p for p in alive if p.pk == user_id), checkin_id=pk)
        elif roll < 0.9:
            _pk, user_id = chance.choice(mine)
            services.checkins_delete_all(user=next(p for p in alive if p.pk == user_id))
        elif roll < 0.95:
            pk, _user_id = chance.choice(mine)
            CheckIn.objects.filter(pk=pk).update(created_at=timezone.now() - timedelta(days=31))
            tasks.purge_checkins()
        else:
            person = chance.choice(alive)
            _with_the_account(person, None)
            gone.add(person.pk)
        now = _counted(cohort)
        for batch in set(counted) ^ set(now):
            answers = counted.get(batch) or now[batch]
            users = set(CheckIn.objects.filter(pk__in=answers).values_list("user_id", flat=True))
            assert len(answers) == CARE_MIN_GROUP, step
            if batch in now:  # added: five people, none of a dropped batch, no answer back
                formed += 1
                assert len(users) == CARE_MIN_GROUP and not users & burnt, step
                assert not answers & uncounted, step
        for batch in set(counted) - set(now):
            uncounted |= counted[batch]
        # What the trainer reads is exactly the live batches.
        assert _seen(cohort)[1] == CARE_MIN_GROUP * len(now), step
        counted = now
        burnt = set(CheckIn.objects.filter(batch__dropped_at__isnull=False)
                    .values_list("user_id", flat=True))  # fmt: skip
    # The sequence did what it should test: batches formed, and several were dropped.
    assert formed >= 4 and len(uncounted) >= 2 * CARE_MIN_GROUP, (formed, len(uncounted))


def test_a_batch_short_of_an_answer_counts_for_nothing_and_the_purge_drops_it(cohort):
    _people, answers = _eleven(cohort)
    # A deletion that raced the batch's forming (its row read before it was batched) leaves the
    # batch short, without dropping it: it counts for nothing all the same.
    CheckIn.objects.filter(pk=answers[3].pk).update(batch=None)
    assert _seen(cohort)[1] == 5
    tasks.purge_checkins()
    assert CheckInBatch.objects.filter(dropped_at__isnull=False).count() == 1


def test_modules_keep_their_own_batches(cohort):
    module = cohort.courses.first().get_children().specific().first()
    people = [member_of(cohort, f"Person {i}") for i in range(5)]
    answers = [_answer(person, cohort, carrying=2, module=module) for person in people]
    for person in people:
        _answer(person, cohort, carrying=4)
    found = cohort_aggregates(cohort)
    assert [g.answers for g in found["modules"]] == [5]
    assert found["overall"].answers == 10
    _by_the_person(people[0], answers[0])
    found = cohort_aggregates(cohort)
    # The module's batch is dropped and the module no longer listed; the weekly batch stays.
    assert found["modules"] == []
    assert (found["overall"].answers, found["overall"].carrying) == (5, 4.0)


def test_answers_given_before_batches_are_frozen_as_the_totals_counted_them(cohort):
    """care/migrations/0003: existing answers are batched, five people at a time, oldest first."""
    people = [member_of(cohort, f"Person {i}") for i in range(12)]
    start = timezone.now() - timedelta(days=3)
    for i, person in enumerate([*people, people[0]]):
        CheckIn.objects.create(user=person, cohort=cohort, carrying=1 + i % 5, energy=3,
                               created_at=start + timedelta(hours=i))  # fmt: skip
    assert _seen(cohort)[1] == 0
    migration = importlib.import_module("care.migrations.0003_checkin_batches_existing")
    migration.batch_existing(apps, None)
    assert _seen(cohort) == (True, 10, 3.0, 3.0, 0)
    first = CheckIn.objects.filter(user=people[0]).order_by("created_at")
    assert [c.batch_id is not None for c in first] == [True, False]


# --- Two answers at the same moment -------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_answers_never_share_answers_between_batches(cohort, monkeypatch):
    if connection.vendor != "postgresql":
        skip_or_fail("row locks need PostgreSQL: set DATABASE_URL")
    people = [member_of(cohort, f"Person {i}") for i in range(6)]
    for person in people[:4]:
        _answer(person, cohort, carrying=3)
    # Both answers are written before either forms a batch: each could take the four waiting.
    both_written = threading.Barrier(2)
    form = services.checkin_batches_form

    def form_together(**kwargs):
        both_written.wait(timeout=10)
        return form(**kwargs)

    monkeypatch.setattr(services, "checkin_batches_form", form_together)
    failures = []

    def answer(person):
        try:
            _answer(person, cohort, carrying=5)
        except Exception as error:  # reported below
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=answer, args=(p,)) for p in people[4:]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not failures
    (batch,) = CheckInBatch.objects.all()
    assert batch.checkins.values("user").distinct().count() == CARE_MIN_GROUP
    assert CheckIn.objects.filter(batch__isnull=True).count() == 1
    assert _seen(cohort)[1] == CARE_MIN_GROUP


def test_forming_again_changes_nothing(cohort):
    _eleven(cohort)
    before = _counted(cohort)
    assert checkin_batches_form(cohort=cohort, module=None) == []
    assert _counted(cohort) == before
