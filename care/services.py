"""Writes of care: check-ins, debrief requests, the self-care plan, a cohort's care settings and
the retention purge. Each checks what it is given; views only call these."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cohorts.models import Cohort, Membership
from courses.models import ModulePage
from training import outbox
from training.errors import ServiceError

from . import selectors
from .models import CareSettings, CheckIn, CheckInBatch, DebriefRequest, SelfCarePlan


class CareError(ServiceError):
    """A write refused, with a sentence for the person."""

    code = "care"


def _trainer(cohort: Cohort, by) -> None:
    """Refuse anyone but the cohort's current trainers (selectors.cohorts_cared_for), whatever
    the view checked."""
    if by is None or not selectors.cohorts_cared_for(by).filter(pk=cohort.pk).exists():
        raise CareError(_("Only the cohort's trainers can do this."), code="not_trainer")


# --- Check-ins ----------------------------------------------------------------------------------
def module_key(module: ModulePage | None) -> int:
    """The group a check-in counts in: its heavy module's pk, 0 for none (CheckIn.module_key)."""
    return module.pk if module is not None else 0


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
    checkin = CheckIn(user=user, cohort=cohort, module=module, module_key=module_key(module),
                      kind=kind, carrying=carrying, energy=energy, wants_debrief=wants_debrief,
                      note=note.strip())  # fmt: skip
    checkin.full_clean()
    checkin.save()
    if cohort is not None:
        checkin_batches_form(cohort=cohort, module_key=checkin.module_key)
    return checkin


@transaction.atomic
def checkin_batches_form(*, cohort: Cohort, module_key: int) -> list[CheckInBatch]:
    """Freeze the group's waiting answers into batches of CARE_MIN_GROUP people: the first
    waiting answer of each person who has no answer in a batch of the group (a person whose
    batched answer is still kept never counts in the group again; one whose batched answer was
    deleted may, with another answer), oldest first, five at a time; fewer than five wait. Each
    batch keeps its answers' totals (CheckInBatch), which never change. One batch at a time per
    cohort (its row locked): two answers at the same moment never put one answer in two
    batches. Answers being deleted meanwhile (locked) are left out."""
    Cohort.objects.select_for_update(no_key=True).filter(pk=cohort.pk).first()
    group = CheckIn.objects.filter(cohort=cohort, module_key=module_key)
    batched = set(group.filter(batch__isnull=False).values_list("user_id", flat=True))
    waiting = (
        group.filter(batch__isnull=True).select_for_update(skip_locked=True)
        .order_by("created_at", "pk")
        .values_list("pk", "user_id", "carrying", "energy", "wants_debrief")
    )  # fmt: skip
    first: dict[int, tuple] = {}
    for row in waiting:
        if row[1] not in batched:
            first.setdefault(row[1], row)
    answers = list(first.values())  # in the order of each person's first answer
    size, formed = selectors.CARE_MIN_GROUP, []
    if len(answers) < size:
        return formed
    # The page while it exists (for the admin and a shell); the group is module_key.
    module = ModulePage.objects.filter(pk=module_key).first() if module_key else None
    for start in range(0, len(answers) - size + 1, size):
        chosen = answers[start : start + size]
        batch = CheckInBatch.objects.create(
            cohort=cohort, module_key=module_key, module=module, answers=len(chosen),
            carrying_sum=sum(row[2] for row in chosen), energy_sum=sum(row[3] for row in chosen),
            debriefs=sum(1 for row in chosen if row[4]),
        )  # fmt: skip
        CheckIn.objects.filter(pk__in=[row[0] for row in chosen]).update(batch=batch)
        formed.append(batch)
    return formed


def checkin_delete(*, user, checkin_id: int) -> int:
    """Delete one of the person's own check-ins (nobody else's: 0). A batch it was counted in
    keeps its totals: five people's sums, nothing of this answer alone."""
    count, _rows = CheckIn.objects.filter(user=user, pk=checkin_id).delete()
    return count


def checkins_delete_all(*, user) -> int:
    count, _rows = CheckIn.objects.filter(user=user).delete()
    return count


def checkins_purge(now=None) -> int:
    """Check-ins older than ACOMPANA_CHECKIN_RETENTION_DAYS (care.tasks.purge_checkins), then
    the batches formed longer ago than that: the trainers' totals cover the retention period,
    and go by age only, never because someone deleted. Returns the check-ins deleted."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.ACOMPANA_CHECKIN_RETENTION_DAYS)
    with transaction.atomic():
        # Answers first: a batch's answers are all older than it, so none of them is left to
        # wait again when it goes.
        count, _rows = CheckIn.objects.filter(created_at__lt=cutoff).delete()
        CheckInBatch.objects.filter(formed_at__lt=cutoff).delete()
    return count


# --- Debrief requests ---------------------------------------------------------------------------
@transaction.atomic
def debrief_request(*, user, cohort: Cohort, message: str = "") -> DebriefRequest:
    """Ask the cohort's trainers to talk, with only `message` (what the person chose to say).
    The trainers are told by email once the request is committed."""
    from . import tasks  # noqa: PLC0415 — tasks call these services

    if not Membership.objects.filter(cohort=cohort, user=user, left_at__isnull=True).exists():
        raise CareError(_("You can ask for a debrief in a cohort you are a member of."),
                        code="not_member")  # fmt: skip
    if not selectors.current_trainers(cohort).exists():
        raise CareError(_("This cohort has no trainer to ask yet."), code="no_trainer")
    if DebriefRequest.objects.filter(user=user, cohort=cohort, handled_at__isnull=True).exists():
        raise CareError(_("Your request is already with the cohort's trainers: they will "
                          "contact you."), code="already_asked")  # fmt: skip
    request = DebriefRequest(user=user, cohort=cohort, message=message.strip())
    try:
        request.full_clean()
    except ValidationError as error:
        raise CareError(" ".join(error.messages), code="invalid") from error
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
    """A current trainer of the cohort marks the request handled (once); anyone else is refused
    (CareError). None: no such request in the cohort."""
    _trainer(cohort, by)
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
def care_settings_save(*, cohort: Cohort, weekly_checkins: bool, by) -> CareSettings:
    """The cohort's care choices, by one of its current trainers (anyone else: CareError)."""
    _trainer(cohort, by)
    found, _created = CareSettings.objects.update_or_create(
        cohort=cohort, defaults={"weekly_checkins": weekly_checkins}
    )
    return found
