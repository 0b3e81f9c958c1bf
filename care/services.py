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

from . import selectors
from .models import CareSettings, CheckIn, DebriefRequest, SelfCarePlan


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
    return checkin


def checkin_delete(*, user, checkin_id: int) -> int:
    """Delete one of the person's own check-ins (nobody else's: 0)."""
    count, _rows = CheckIn.objects.filter(user=user, pk=checkin_id).delete()
    return count


def checkins_delete_all(*, user) -> int:
    count, _rows = CheckIn.objects.filter(user=user).delete()
    return count


def checkins_purge(now=None) -> int:
    """Check-ins older than ACOMPANA_CHECKIN_RETENTION_DAYS (care.tasks.purge_checkins)."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.ACOMPANA_CHECKIN_RETENTION_DAYS)
    count, _rows = CheckIn.objects.filter(created_at__lt=cutoff).delete()
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
