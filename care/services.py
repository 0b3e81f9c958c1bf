"""Writes of care: check-ins, debrief requests, the self-care plan, a cohort's care settings and
the retention purge. Each checks what it is given; views only call these."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from cohorts.models import Cohort, Membership
from courses.models import ModulePage
from training import outbox

from . import selectors
from .models import CareSettings, CheckIn, CheckInBatch, DebriefRequest, SelfCarePlan


class CareError(Exception):
    """A write refused, with a sentence for the person."""


# --- Check-ins ----------------------------------------------------------------------------------
@transaction.atomic
def checkin_create(
    *, user, carrying: int, energy: int, wants_debrief: bool = False, note: str = "",
    kind: str = CheckIn.Kind.OWN, cohort: Cohort | None = None, module: ModulePage | None = None,
) -> CheckIn:  # fmt: skip
    """Keep one check-in. Its cohort (and module) only place it in the trainers' aggregates:
    the person must be a member of the cohort now, else it counts in none."""
    if (
        cohort is not None
        and not Membership.objects.filter(cohort=cohort, user=user, left_at__isnull=True).exists()
    ):
        cohort = None
    checkin = CheckIn(user=user, cohort=cohort, module=module, kind=kind, carrying=carrying,
                      energy=energy, wants_debrief=wants_debrief, note=note.strip())  # fmt: skip
    checkin.full_clean()
    checkin.save()
    if cohort is not None:
        checkin_batches_form(cohort=cohort, module=module)
    return checkin


@transaction.atomic
def checkin_batches_form(*, cohort: Cohort, module: ModulePage | None) -> list[CheckInBatch]:
    """Freeze the group's answers not counted yet into batches of CARE_MIN_GROUP people: the
    first answer of each person with no answer in a batch of the group (live or dropped), oldest
    first, five at a time; fewer than five wait. An answer is batched once, never moved. One
    batch at a time per cohort (its row locked): two answers at the same moment never put one
    answer in two batches. Answers being deleted meanwhile (locked) are left out."""
    Cohort.objects.select_for_update(no_key=True).filter(pk=cohort.pk).first()
    group = CheckIn.objects.filter(cohort=cohort, module=module)
    # Anyone with an answer in a batch of the group, dropped ones included, never counts in it
    # again: their other answers would tell the deleted one apart.
    batched = set(group.filter(batch__isnull=False).values_list("user_id", flat=True))
    waiting = (
        group.filter(batch__isnull=True).select_for_update(skip_locked=True)
        .order_by("created_at", "pk").values_list("pk", "user_id")
    )  # fmt: skip
    first: dict[int, int] = {}
    for pk, user_id in waiting:
        if user_id not in batched:
            first.setdefault(user_id, pk)
    answers = list(first.values())  # in the order of each person's first answer
    formed = []
    for start in range(0, len(answers) - selectors.CARE_MIN_GROUP + 1, selectors.CARE_MIN_GROUP):
        chosen = answers[start : start + selectors.CARE_MIN_GROUP]
        batch = CheckInBatch.objects.create(cohort=cohort, module=module)
        CheckIn.objects.filter(pk__in=chosen, batch__isnull=True).update(batch=batch)
        formed.append(batch)
    return formed


def checkin_batches_drop(batch_ids) -> int:
    """Drop the live batches among `batch_ids` (one of their answers was deleted): none of their
    answers counts again (care.signals calls this for each check-in deleted, however it goes)."""
    ids = {pk for pk in batch_ids if pk is not None}
    if not ids:
        return 0
    return CheckInBatch.objects.filter(pk__in=ids, dropped_at__isnull=True).update(
        dropped_at=timezone.now()
    )


def checkin_delete(*, user, checkin_id: int) -> int:
    """Delete one of the person's own check-ins (nobody else's: 0); its batch, if any, is
    dropped with it (care.signals)."""
    count, _rows = CheckIn.objects.filter(user=user, pk=checkin_id).delete()
    return count


def checkins_delete_all(*, user) -> int:
    count, _rows = CheckIn.objects.filter(user=user).delete()
    return count


def checkins_purge(now=None) -> int:
    """Check-ins older than ACOMPANA_CHECKIN_RETENTION_DAYS (care.tasks.purge_checkins); the
    batches they were in are dropped with them (care.signals). Then a batch short of an answer
    however it went (a deletion that raced its forming) is dropped too, and dropped batches left
    without answers are forgotten."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.ACOMPANA_CHECKIN_RETENTION_DAYS)
    with transaction.atomic():
        count, _rows = CheckIn.objects.filter(created_at__lt=cutoff).delete()
        short = (
            CheckInBatch.objects.filter(dropped_at__isnull=True)
            .annotate(answers=Count("checkins")).filter(answers__lt=selectors.CARE_MIN_GROUP)
        )  # fmt: skip
        checkin_batches_drop(short.values_list("pk", flat=True))
        CheckInBatch.objects.filter(dropped_at__isnull=False, checkins__isnull=True).delete()
    return count


# --- Debrief requests ---------------------------------------------------------------------------
@transaction.atomic
def debrief_request(*, user, cohort: Cohort, message: str = "") -> DebriefRequest:
    """Ask the cohort's trainers to talk, with only `message` (what the person chose to say).
    The trainers are told by email once the request is committed."""
    from . import tasks  # noqa: PLC0415 — tasks call these services

    if not Membership.objects.filter(cohort=cohort, user=user, left_at__isnull=True).exists():
        raise CareError(_("You can ask for a debrief in a cohort you are a member of."))
    if not selectors.current_trainers(cohort).exists():
        raise CareError(_("This cohort has no trainer to ask yet."))
    if DebriefRequest.objects.filter(user=user, cohort=cohort, handled_at__isnull=True).exists():
        raise CareError(_("Your request is already with the cohort's trainers: they will "
                          "contact you."))  # fmt: skip
    request = DebriefRequest(user=user, cohort=cohort, message=message.strip())
    try:
        request.full_clean()
    except ValidationError as error:
        raise CareError(" ".join(error.messages)) from error
    request.save()
    outbox.queue(tasks.notify_debrief_request, request.pk)
    return request


def debrief_request_notify(request_id: int) -> int:
    """Tell the cohort's trainers (each once: the key names the request and the trainer)."""
    from .notifications import send  # noqa: PLC0415 — registered with the app

    request = DebriefRequest.objects.select_related("cohort").filter(pk=request_id).first()
    if request is None or request.handled_at is not None:
        return 0
    trainers = list(selectors.current_trainers(request.cohort))
    return send("care_debrief_request",
                [(trainer, f"care-debrief:{request.pk}:{trainer.pk}") for trainer in trainers],
                lambda user: {"cohort": request.cohort})  # fmt: skip


def debrief_request_handle(*, cohort: Cohort, request_id: int, by) -> DebriefRequest | None:
    """A trainer of the cohort marks the request handled (once)."""
    request = DebriefRequest.objects.filter(cohort=cohort, pk=request_id).first()
    if request is None:
        return None
    if request.handled_at is None:
        request.handled_at = timezone.now()
        request.handled_by = by
        request.save(update_fields=["handled_at", "handled_by"])
    return request


# --- The self-care plan -------------------------------------------------------------------------
def plan_save(*, user, signals: str, what_helps: str, who_to_call: str) -> SelfCarePlan:
    plan, _created = SelfCarePlan.objects.get_or_create(user=user)
    plan.signals, plan.what_helps, plan.who_to_call = signals, what_helps, who_to_call
    plan.full_clean()
    plan.save()
    return plan


def plan_delete(*, user) -> int:
    count, _rows = SelfCarePlan.objects.filter(user=user).delete()
    return count


# --- A cohort's settings ------------------------------------------------------------------------
def care_settings_save(*, cohort: Cohort, weekly_checkins: bool) -> CareSettings:
    found, _created = CareSettings.objects.update_or_create(
        cohort=cohort, defaults={"weekly_checkins": weekly_checkins}
    )
    return found
