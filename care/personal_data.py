"""What care keeps about people (training/privacy.py): check-ins, debrief requests and the
self-care plan. All are exported with the person's data and deleted with the account; check-ins
are kept no longer than ACOMPANA_CHECKIN_RETENTION_DAYS."""

from django.utils.translation import gettext_lazy as _

from training.privacy import (
    Declaration,
    Erase,
    Retention,
    category,
    declare,
    iso,
    not_personal,
    shown_name,
)

from .models import CheckIn, DebriefRequest, SelfCarePlan

category("care", _("Your well-being"), 45)


def _checkins(person) -> list[dict]:
    return [
        {"kind": c.kind, "cohort": c.cohort.title if c.cohort else None,
         "module": c.module.title if c.module else None, "carrying": c.carrying,
         "energy": c.energy, "wants_debrief": c.wants_debrief, "note": c.note,
         "created_at": iso(c.created_at)}
        for c in CheckIn.objects.filter(user=person).select_related("cohort", "module")
        .order_by("created_at", "pk")
    ]  # fmt: skip


def _requests(person) -> list[dict]:
    return [
        {"cohort": r.cohort.title, "message": r.message, "created_at": iso(r.created_at),
         "handled_at": iso(r.handled_at), "handled_by": shown_name(r.handled_by)}
        for r in DebriefRequest.objects.filter(user=person).select_related("cohort", "handled_by")
        .order_by("created_at", "pk")
    ]  # fmt: skip


def _plan(person) -> list[dict]:
    return [
        {"signals": p.signals, "what_helps": p.what_helps, "who_to_call": p.who_to_call,
         "updated_at": iso(p.updated_at)}
        for p in SelfCarePlan.objects.filter(user=person)
    ]  # fmt: skip


declare(
    Declaration(
        model="care.CheckIn",
        category="care",
        title=_("Your well-being check-ins"),
        labels={
            "carrying": _("How you were carrying things (1 to 5)"),
            "energy": _("Energy (1 to 5)"),
            "wants_debrief": _("Would have liked a debrief"),
        },
        shows={"kind": CheckIn.Kind},
        holds=_(
            "Your answers to private check-ins: how you were carrying things, your energy, "
            "whether you wanted a debrief, and your note."
        ),
        purpose=_(
            "So that you can follow how you are over time; your cohort's trainers see "
            "totals of at least five answers only."
        ),
        seen_by=_("You only."),
        retention=Retention(
            days_setting="ACOMPANA_CHECKIN_RETENTION_DAYS",
            after=_("after you answered"),
            task="care.tasks.purge_checkins",
        ),
        export=_checkins,
        erase=Erase.DELETE,
    ),
    Declaration(
        model="care.DebriefRequest",
        category="care",
        title=_("Your debrief requests"),
        labels={
            "message": _("What you wrote"),
            "handled_at": _("Handled"),
            "handled_by": _("Handled by"),
        },
        holds=_("Your requests to talk with your cohort's trainers, with what you chose to say."),
        purpose=_("So that your cohort's trainers can contact you."),
        seen_by=_("You and the trainers of the cohort."),
        actors=("handled_by",),
        names_person=("message",),
        export=_requests,
        erase=Erase.DELETE,
    ),
    Declaration(
        model="care.SelfCarePlan",
        category="care",
        title=_("Your self-care plan"),
        labels={
            "signals": _("Signals"),
            "what_helps": _("What helps"),
            "who_to_call": _("Who to call"),
        },
        holds=_("Your self-care plan: your signals, what helps you, and who you can call."),
        purpose=_("So that you have your plan at hand, online or printed."),
        seen_by=_("You only."),
        names_person=("who_to_call",),
        export=_plan,
        erase=Erase.DELETE,
    ),
)

not_personal(
    "care.CheckInBatch",
    "Anonymous totals of five people's check-ins in one cohort (and heavy module): how many, the "
    "sums of carrying and energy, how many wanted a debrief. No person is named: which check-in "
    "was counted in it is kept on the check-in, the person's, which goes with them; the totals "
    "of five people are nobody's answer and stay until the purge deletes the batch, "
    "ACOMPANA_CHECKIN_RETENTION_DAYS after it formed.",
)
