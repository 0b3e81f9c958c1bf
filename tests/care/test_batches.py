"""Deleting cannot single anyone out: the trainers' totals add up the totals each batch of five
people's answers froze when it formed (CheckInBatch), never the check-ins. A deleted answer (by
the person, all of theirs, with the account, by the retention purge) is gone, and nothing a
trainer sees moves; the totals change only when five more people answered, or when a batch
expires, formed longer ago than the retention period."""

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


def _answer(person, cohort, carrying, energy=3, module=None, debrief=False):
    kind = CheckIn.Kind.AFTER_MODULE if module else CheckIn.Kind.WEEKLY
    return checkin_create(user=person, cohort=cohort, carrying=carrying, energy=energy,
                          module=module, kind=kind, wants_debrief=debrief)  # fmt: skip


def _shown(group) -> tuple:
    return (group.label, group.shown, group.answers, group.carrying, group.energy, group.debrief)


def _seen(cohort) -> tuple:
    """Everything the trainer reads of the cohort's totals: the cohort's, then each module's."""
    found = cohort_aggregates(cohort)
    return (_shown(found["overall"]), tuple(_shown(group) for group in found["modules"]))


def _signed_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def _totals_section(client, cohort) -> str:
    page = client.get(reverse("care:trainer_care", args=[cohort.slug])).content.decode()
    start = page.index('<section aria-labelledby="aggregates-heading">')
    return page[start : page.index("</section>", start)]


def _frozen(cohort) -> dict[int, tuple]:
    """The cohort's batches and what each froze: {batch: (group, answers, sums, debriefs)}."""
    return {
        pk: rest
        for pk, *rest in CheckInBatch.objects.filter(cohort=cohort).values_list(
            "pk", "module_key", "answers", "carrying_sum", "energy_sum", "debriefs"
        )
    }


def _module(cohort):
    module = cohort.courses.first().get_children().specific().first()
    module.heavy = True
    module.save()
    return module


# --- The attack of the review: 11 people shown as 10, one of them deletes ----------------------
def _eleven(cohort):
    """Eleven people answer: the first ten make two batches, the eleventh waits."""
    people = [member_of(cohort, f"Person {i}") for i in range(11)]
    answers = [_answer(person, cohort, carrying=1 + i % 5, debrief=i == 7)
               for i, person in enumerate(people)]  # fmt: skip
    return people, answers


def _by_the_person(person, answer):
    response = _signed_in(person).post(reverse("care:check_in_delete", args=[answer.pk]))
    assert response.status_code == 302


def _all_of_theirs(person, answer):
    response = _signed_in(person).post(reverse("care:check_ins_delete_all"), {"confirm": "yes"})
    assert response.status_code == 302


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
def test_no_way_of_deleting_changes_anything_a_trainer_sees(cohort, trainer_client, delete):
    people, answers = _eleven(cohort)
    before, page, frozen = _seen(cohort), _totals_section(trainer_client, cohort), _frozen(cohort)
    assert before[0][1:] == (True, 10, 3.0, 3.0, 1)
    # Person 7 (in the second batch, the one who wanted a debrief) deletes their answer.
    delete(people[7], answers[7])
    assert not CheckIn.objects.filter(pk=answers[7].pk).exists()  # theirs is gone, as promised
    assert _seen(cohort) == before
    assert _totals_section(trainer_client, cohort) == page
    assert _frozen(cohort) == frozen


def test_an_account_erased_leaves_the_totals_and_the_module_as_they_were(cohort, trainer_client):
    """Erasure comes at a predictable time (14 days after the request, hourly): the trainer who
    sees a member become "Former member" must not see the totals move at that moment."""
    module = _module(cohort)
    people = [member_of(cohort, f"Person {i}") for i in range(6)]
    for i, person in enumerate(people):
        _answer(person, cohort, carrying=1 + i % 5, module=module)
        _answer(person, cohort, carrying=5 - i % 5)
    before, page = _seen(cohort), _totals_section(trainer_client, cohort)
    assert before[1] == ((module.title, True, 5, 3.0, 3.0, 0),)
    assert before[0][1:3] == (True, 10)

    _with_the_account(people[2], None)
    assert not CheckIn.objects.filter(user=people[2]).exists()
    assert _seen(cohort) == before  # the totals, and the module still listed
    assert _totals_section(trainer_client, cohort) == page
    assert module.title in page


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


# --- Each person once per group, while their counted answer is kept -----------------------------
def test_a_person_whose_counted_answer_is_kept_never_counts_again_in_the_group(cohort):
    people, _answers = _eleven(cohort)
    before = _seen(cohort)
    # Four of the first ten answer again, with the eleventh: five people, but each already
    # counted but the eleventh.
    for person in people[:4]:
        _answer(person, cohort, carrying=5)
    assert _seen(cohort) == before
    assert CheckInBatch.objects.count() == 2


def test_a_person_whose_counted_answer_was_deleted_may_count_again_with_five_new_answers(
    cohort,
):
    people, answers = _eleven(cohort)
    before = _seen(cohort)[0]
    _by_the_person(people[0], answers[0])
    # Their new answer waits like anyone's: counted again only with four other people's.
    _answer(people[0], cohort, carrying=5)
    for i in range(2):
        _answer(member_of(cohort, f"Newcomer {i}"), cohort, carrying=5)
        assert _seen(cohort)[0] == before
    _answer(member_of(cohort, "Newcomer 2"), cohort, carrying=5)
    # The eleventh, person 0 again and three newcomers: five new answers, and the totals move
    # by exactly those (person 0's deleted answer still in the first batch's sums).
    after = _seen(cohort)[0]
    assert after[1:3] == (True, 15)
    assert after[3] == round((15 + 15 + 1 + 5 + 3 * 5) / 15, 1)
    (newest,) = CheckInBatch.objects.order_by("-pk")[:1]
    people_in = set(newest.checkins.values_list("user_id", flat=True))
    assert people[0].pk in people_in and people[10].pk in people_in and len(people_in) == 5


# --- Batches go by age, never by anyone's action ------------------------------------------------
def test_a_batch_expires_with_the_retention_period_of_its_forming(cohort, settings):
    settings.ACOMPANA_CHECKIN_RETENTION_DAYS = 30
    _people, _answers = _eleven(cohort)
    first, second = CheckInBatch.objects.order_by("pk")
    now = timezone.now()
    # The first batch formed 31 days ago, its answers before; the second 29 days ago.
    CheckInBatch.objects.filter(pk=first.pk).update(formed_at=now - timedelta(days=31))
    CheckIn.objects.filter(batch=first).update(created_at=now - timedelta(days=32))
    CheckInBatch.objects.filter(pk=second.pk).update(formed_at=now - timedelta(days=29))
    assert tasks.purge_checkins() == CARE_MIN_GROUP  # the first batch's answers
    assert list(CheckInBatch.objects.all()) == [second]
    assert _seen(cohort)[0][1:3] == (True, 5)
    assert tasks.purge_checkins() == 0  # safe to run again
    assert _seen(cohort)[0][1:3] == (True, 5)
    # The second once older than the period: nothing left to show.
    CheckInBatch.objects.filter(pk=second.pk).update(formed_at=now - timedelta(days=31))
    CheckIn.objects.filter(batch=second).update(created_at=now - timedelta(days=32))
    assert tasks.purge_checkins() == CARE_MIN_GROUP
    assert not CheckInBatch.objects.exists()
    assert _seen(cohort)[0][1:3] == (False, 0)


# --- Groups stay apart, a module's even once its page is deleted --------------------------------
def test_modules_keep_their_own_batches(cohort, trainer_client):
    module = _module(cohort)
    people = [member_of(cohort, f"Person {i}") for i in range(5)]
    answers = [_answer(person, cohort, carrying=2, module=module) for person in people]
    for person in people:
        _answer(person, cohort, carrying=4)
    found = cohort_aggregates(cohort)
    assert [(g.label, g.answers, g.carrying) for g in found["modules"]] == [(module.title, 5, 2.0)]
    assert (found["overall"].answers, found["overall"].carrying) == (10, 3.0)
    before = _seen(cohort)
    _by_the_person(people[0], answers[0])
    assert _seen(cohort) == before


def test_a_deleted_module_keeps_its_groups_apart(cohort):
    """Deleting a heavy module's page empties `module` on its check-ins and batches; their group
    (`module_key`) stays: its batches still count in the cohort's totals, unlisted, and nothing
    joins the check-ins after no module."""
    module = _module(cohort)
    counted = [member_of(cohort, f"Counted {i}") for i in range(5)]
    waiting = [member_of(cohort, f"Waiting {i}") for i in range(3)]
    for person in counted:
        _answer(person, cohort, carrying=1, module=module)
    for person in waiting:
        _answer(person, cohort, carrying=1, module=module)
    key = module.pk
    before = _seen(cohort)
    assert before[1] == ((module.title, True, 5, 1.0, 3.0, 0),)
    module.delete()

    found = cohort_aggregates(cohort)
    assert found["modules"] == []  # the page is gone: not listed
    assert (found["overall"].answers, found["overall"].carrying) == (5, 1.0)  # still counted
    assert set(CheckIn.objects.values_list("module_key", flat=True)) == {key}
    assert set(CheckInBatch.objects.values_list("module_key", "module")) == {(key, None)}

    # The people counted after the module are counted again in the weekly group (a group of its
    # own), and the three left waiting after it do not join the weekly pool: two weekly answers
    # with them would have made five.
    for person in counted[:2]:
        _answer(person, cohort, carrying=5)
    assert cohort_aggregates(cohort)["overall"].answers == 5
    for person in counted[2:]:
        _answer(person, cohort, carrying=5)
    found = cohort_aggregates(cohort)
    assert (found["overall"].answers, found["overall"].carrying) == (10, 3.0)
    assert CheckIn.objects.filter(module_key=key, batch__isnull=True).count() == 3


# --- Whatever happens, the totals are the live batches' and move only when one forms or expires -
def _recount(cohort) -> tuple:
    """The cohort's totals recomputed from the live batches' frozen totals (not the selector)."""
    rows = list(CheckInBatch.objects.filter(cohort=cohort).values_list(
        "answers", "carrying_sum", "energy_sum", "debriefs"))  # fmt: skip
    answers = sum(r[0] for r in rows)
    if answers < CARE_MIN_GROUP:
        return (False, answers, None, None, None)
    return (True, answers, round(sum(r[1] for r in rows) / answers, 1),
            round(sum(r[2] for r in rows) / answers, 1), sum(r[3] for r in rows))  # fmt: skip


def test_any_sequence_changes_the_totals_only_when_a_batch_forms_or_expires(cohort, settings):
    """Many people answer, answer again, delete one answer, all of theirs, or leave with their
    account; answers and batches grow old and the purge runs; in a random (seeded) order. After
    every step, what the trainer reads is exactly the live batches' frozen totals added up; it
    changed only if a batch formed (five more answers, five people with no other counted answer
    in the group) or one expired by age; and nobody has two counted answers in the group."""
    settings.ACOMPANA_CHECKIN_RETENTION_DAYS = 30
    chance = random.Random(22)
    people = [member_of(cohort, f"Person {i}") for i in range(24)]
    gone: set[int] = set()  # accounts deleted
    seen, batches = _seen(cohort)[0], _frozen(cohort)
    formed = expired = deleted = 0
    for step in range(120):
        alive = [p for p in people if p.pk not in gone]
        roll = chance.random()
        mine = list(CheckIn.objects.filter(user__in=alive).values_list("pk", "user_id"))
        ageing = False
        if roll < 0.55 or not mine:
            _answer(chance.choice(alive), cohort, carrying=chance.randint(1, 5),
                    energy=chance.randint(1, 5), debrief=chance.random() < 0.3)  # fmt: skip
        elif roll < 0.72:
            pk, user_id = chance.choice(mine)
            services.checkin_delete(user=next(p for p in alive if p.pk == user_id), checkin_id=pk)
            deleted += 1
        elif roll < 0.8:
            _pk, user_id = chance.choice(mine)
            services.checkins_delete_all(user=next(p for p in alive if p.pk == user_id))
            deleted += 1
        elif roll < 0.88:
            pk, _user_id = chance.choice(mine)
            CheckIn.objects.filter(pk=pk).update(created_at=timezone.now() - timedelta(days=31))
            tasks.purge_checkins()
            deleted += 1
        elif roll < 0.95 or not batches:
            person = chance.choice(alive)
            _with_the_account(person, None)
            gone.add(person.pk)
            deleted += 1
        else:  # time passes: the oldest batch (and the answers before it) grow old
            ageing = True
            oldest = min(batches)
            old = timezone.now() - timedelta(days=31)
            CheckInBatch.objects.filter(pk=oldest).update(formed_at=old)
            CheckIn.objects.filter(batch_id=oldest).update(created_at=old - timedelta(hours=1))
            tasks.purge_checkins()
        now_seen, now_batches = _seen(cohort)[0], _frozen(cohort)
        # What the trainer reads is the live batches' frozen totals, nothing else.
        assert now_seen[1:] == _recount(cohort), step
        added, removed = set(now_batches) - set(batches), set(batches) - set(now_batches)
        # A batch never changes; none goes but by age.
        assert all(now_batches[pk] == batches[pk] for pk in set(batches) & set(now_batches)), step
        assert not removed or ageing, step
        for pk in added:
            users = set(CheckIn.objects.filter(batch_id=pk).values_list("user_id", flat=True))
            assert now_batches[pk][1] == CARE_MIN_GROUP and len(users) == CARE_MIN_GROUP, step
        if not added and not removed:
            assert now_seen == seen, step
        else:
            moved = CARE_MIN_GROUP * (len(added) - len(removed))
            assert now_seen[2] - seen[2] == moved, step
        formed, expired = formed + len(added), expired + len(removed)
        # Each person has at most one counted answer kept in the group.
        counted = list(
            CheckIn.objects.filter(batch__isnull=False).values_list("user_id", flat=True)
        )
        assert len(counted) == len(set(counted)), step
        seen, batches = now_seen, now_batches
    # The sequence did what it should test: batches formed and expired, many deletions.
    assert formed >= 6 and expired >= 2 and deleted >= 20, (formed, expired, deleted)


# --- Answers given before the totals were frozen ------------------------------------------------
def _migration(name):
    return importlib.import_module(f"care.migrations.{name}")


def test_answers_given_before_batches_are_frozen_as_the_totals_counted_them(cohort):
    """care/migrations/0003 batched existing answers, five people at a time, oldest first; 0005
    freezes each batch's totals."""
    people = [member_of(cohort, f"Person {i}") for i in range(12)]
    start = timezone.now() - timedelta(days=3)
    for i, person in enumerate([*people, people[0]]):
        CheckIn.objects.create(user=person, cohort=cohort, carrying=1 + i % 5, energy=3,
                               created_at=start + timedelta(hours=i))  # fmt: skip
    assert _seen(cohort)[0][1:3] == (False, 0)
    _migration("0003_checkin_batches_existing").batch_existing(apps, None)
    _migration("0005_checkin_batch_totals_existing").freeze_totals(apps, None)
    assert _seen(cohort)[0][1:] == (True, 10, 3.0, 3.0, 0)
    first = CheckIn.objects.filter(user=people[0]).order_by("created_at")
    assert [c.batch_id is not None for c in first] == [True, False]


def test_the_migration_freezes_whole_batches_and_deletes_the_others(cohort):
    """0005: a check-in's group from its module; a live batch of five answers frozen; a dropped
    batch, or one short of an answer, deleted (its answers left may count again)."""
    module = _module(cohort)
    people = [member_of(cohort, f"Person {i}") for i in range(15)]
    rows = [CheckIn.objects.create(user=person, cohort=cohort, carrying=2, energy=4,
                                   wants_debrief=i == 0, module=module if i < 5 else None)
            for i, person in enumerate(people)]  # fmt: skip
    whole = CheckInBatch.objects.create(cohort=cohort, module=module)
    dropped = CheckInBatch.objects.create(cohort=cohort, dropped_at=timezone.now())
    short = CheckInBatch.objects.create(cohort=cohort)
    for batch, answers in ((whole, rows[:5]), (dropped, rows[5:10]), (short, rows[10:14])):
        CheckIn.objects.filter(pk__in=[r.pk for r in answers]).update(batch=batch)
    _migration("0005_checkin_batch_totals_existing").freeze_totals(apps, None)
    assert _frozen(cohort) == {whole.pk: [module.pk, 5, 10, 20, 1]}
    assert list(CheckIn.objects.filter(module_key=module.pk).order_by("pk")) == rows[:5]
    assert CheckIn.objects.filter(batch__isnull=True).count() == 10
    assert _seen(cohort)[1] == ((module.title, True, 5, 2.0, 4.0, 1),)


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
    assert batch.answers == CARE_MIN_GROUP and batch.carrying_sum == 4 * 3 + 5
    assert CheckIn.objects.filter(batch__isnull=True).count() == 1
    assert _seen(cohort)[0][1:3] == (True, CARE_MIN_GROUP)


def test_forming_again_changes_nothing(cohort):
    _eleven(cohort)
    before = _frozen(cohort)
    assert checkin_batches_form(cohort=cohort, module_key=0) == []
    assert _frozen(cohort) == before
