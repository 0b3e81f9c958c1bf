"""Reads of care: what a person sees of their own check-ins, what the dashboard offers, and what a
cohort's trainers see: aggregates of groups of at least CARE_MIN_GROUP answers, never one answer
and never who answered."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Avg, Count, Exists, F, OuterRef, Q, Value, Window
from django.db.models.functions import Mod, RowNumber
from django.utils import timezone

from cohorts.models import Cohort, Membership
from courses.models import ModulePage
from courses.page_cache import cached
from training.i18n import titles_in_active_language
from training.prepared import Prepared, Together

from .models import CareSettings, CheckIn, DebriefRequest

# k-anonymity: a group of answers is shown to trainers only when it holds at least this many.
CARE_MIN_GROUP = 5
# A weekly check-in is offered again this long after the last one.
WEEKLY_EVERY = timedelta(days=7)
# The generation the cached list of cohorts with weekly check-ins is kept under (care.apps).
WEEKLY_GENERATION = "care-weekly-generation"


# --- Weekly check-ins ---------------------------------------------------------------------------
def weekly_cohort_ids() -> list[int]:
    """The cohorts whose trainers turned weekly check-ins on: cached, so that a dashboard reads
    nothing more while no cohort does (care.apps forgets it when a choice changes)."""
    return cached("care-weekly", [], lambda: sorted(
        CareSettings.objects.filter(weekly_checkins=True).values_list("cohort_id", flat=True)
    ), generation_key=WEEKLY_GENERATION)  # fmt: skip


def _due(*, user, cohorts, since):
    done = CheckIn.objects.filter(
        user=user, kind=CheckIn.Kind.WEEKLY, cohort=OuterRef("cohort_id"), created_at__gte=since
    )
    return (
        Membership.objects.filter(user=user, cohort__in=cohorts, left_at__isnull=True)
        .annotate(done=Exists(done))
        .filter(done=False)
        .order_by("cohort__starts_on", "cohort_id")
        .values_list("cohort_id", "cohort__title")
    )


# Compiled once per process (training.prepared): the dashboard's read.
_DUE = Prepared(_due)


def queue_dashboard_care(together: Together, user):
    """`dashboard_care`, its one read sent with the dashboard's others; none at all while no
    cohort asks for weekly check-ins."""
    cohorts = weekly_cohort_ids()
    if not cohorts:
        return lambda: {"due": []}
    pending = together.prepared(_DUE, user=user.pk, cohorts=cohorts,
                                since=timezone.now() - WEEKLY_EVERY)  # fmt: skip
    return lambda: {"due": [{"cohort_id": pk, "title": title} for pk, title in pending.rows]}


def dashboard_care(user) -> dict:
    together = Together()
    finish = queue_dashboard_care(together, user)
    together.run()
    return finish()


def weekly_due(user) -> list[dict]:
    """The cohorts of this person asking for a weekly check-in that is due."""
    return dashboard_care(user)["due"]


# --- The person's own -----------------------------------------------------------------------------
def my_checkins(user):
    return CheckIn.objects.filter(user=user).select_related("cohort").order_by("-created_at", "-pk")


def my_cohorts(user) -> list[Cohort]:
    """The cohorts the person is a member of now, with trainers to ask for a debrief."""
    return list(
        Cohort.objects.filter(memberships__user=user, memberships__left_at__isnull=True,
                              trainers__isnull=False)
        .distinct().order_by("starts_on", "pk")
    )  # fmt: skip


def cohort_of_module(user, module: ModulePage) -> Cohort | None:
    """The cohort through which the person follows the module's course, if any."""
    course = module.get_parent()
    return (
        Cohort.objects.filter(memberships__user=user, memberships__left_at__isnull=True,
                              cohort_courses__course_id=course.pk)
        .order_by("starts_on", "pk").first()
    )  # fmt: skip


# --- Trainers: aggregates only -----------------------------------------------------------------
@dataclass
class Group:
    """Answers in one group (a cohort, a heavy module): their totals only when there are at
    least CARE_MIN_GROUP of them."""

    label: str
    answers: int
    carrying: float | None = None
    energy: float | None = None
    debrief: int | None = None

    @property
    def shown(self) -> bool:
        return self.answers >= CARE_MIN_GROUP


def _group(label: str, row: dict) -> Group:
    answers = row["answers"] or 0
    if answers < CARE_MIN_GROUP:
        # Nothing but "not enough yet" leaves this function for a small group.
        return Group(label=label, answers=answers)
    return Group(label=label, answers=answers, carrying=round(row["carrying"], 1),
                 energy=round(row["energy"], 1), debrief=row["debrief"])  # fmt: skip


def _totals(counted) -> dict:
    """The totals of the answers whose pk is in `counted` (see `_counted`)."""
    among = Q(pk__in=counted)
    return {
        "answers": Count("pk", filter=among),
        "carrying": Avg("carrying", filter=among),
        "energy": Avg("energy", filter=among),
        "debrief": Count("pk", filter=among & Q(wants_debrief=True)),
    }


def _counted(answers, partition: list):
    """The answers counted in the totals: in each group (`partition`), its oldest answers in
    whole steps of CARE_MIN_GROUP (5 of 5 to 9, 10 of 10 to 14…). Totals then change only when
    at least CARE_MIN_GROUP more answers came in: a trainer comparing the page before and after
    one more answer cannot work that answer out (k-anonymity over time, not only at one time)."""
    partition = partition or None
    ranked = answers.annotate(
        position=Window(RowNumber(), partition_by=partition,
                        order_by=[F("created_at").asc(), F("pk").asc()]),
        size=Window(Count("pk"), partition_by=partition),
    )  # fmt: skip
    whole_steps = F("size") - Mod(F("size"), Value(CARE_MIN_GROUP))
    return ranked.filter(position__lte=whole_steps).values("pk")


def cohort_aggregates(cohort: Cohort) -> dict:
    """The cohort's answers as a whole, and by heavy module (each module with answers listed,
    its totals shown once it has enough): three queries."""
    answers = CheckIn.objects.filter(cohort=cohort).order_by()
    overall = _group(str(cohort.title), answers.aggregate(**_totals(_counted(answers, []))))
    in_modules = answers.filter(module__isnull=False)
    by_module = list(
        in_modules.values("module_id")
        .annotate(**_totals(_counted(in_modules, [F("module_id")])))
        .order_by("module_id")
    )  # fmt: skip
    modules = {
        m.pk: m for m in ModulePage.objects.filter(pk__in=[r["module_id"] for r in by_module])
    }
    titles = titles_in_active_language(list(modules.values())) if modules else {}
    groups = []
    for row in by_module:
        module = modules.get(row["module_id"])
        if module is None:
            continue
        groups.append(_group(titles.get(module.translation_key, module.title), row))
    return {"overall": overall, "modules": groups, "min_group": CARE_MIN_GROUP}


def debrief_requests(cohort: Cohort) -> dict:
    """The cohort's debrief requests: open ones first, then the last handled ones."""
    requests = DebriefRequest.objects.filter(cohort=cohort).select_related("user", "handled_by")
    return {
        "open": list(requests.filter(handled_at__isnull=True).order_by("created_at", "pk")),
        "handled": list(requests.filter(handled_at__isnull=False).order_by("-handled_at")[:20]),
    }
