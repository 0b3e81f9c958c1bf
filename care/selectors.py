"""Reads of care: what a person sees of their own check-ins, what the dashboard offers, and what a
cohort's trainers see: aggregates of groups of at least CARE_MIN_GROUP answers, never one answer
and never who answered."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from cohorts.models import Cohort, Membership
from courses.models import ModulePage
from courses.page_cache import cached
from training.i18n import titles_in_active_language
from training.models import User
from training.prepared import Prepared, Together
from training.roles import GROUP_FOR_ROLE, Role

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


TRAINER_ROLE = Q(is_active=True, groups__name=GROUP_FOR_ROLE[Role.TRAINER])


def current_trainers(cohort: Cohort):
    """The cohort's listed trainers who still hold the trainer role: the people a debrief request
    goes to (one whose role was removed keeps nothing of the cohort's people)."""
    return cohort.trainers.filter(TRAINER_ROLE).distinct()


def my_cohorts(user) -> list[Cohort]:
    """The cohorts the person is a member of now, with trainers to ask for a debrief."""
    trainers = User.objects.filter(TRAINER_ROLE, pk=OuterRef("trainers"))
    return list(
        Cohort.objects.filter(memberships__user=user, memberships__left_at__isnull=True)
        .filter(Exists(trainers))
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


def _group(label: str, rows: list) -> Group:
    """The totals of `rows` (answers counted, see `_counted`): nothing but their number when
    there are fewer than CARE_MIN_GROUP."""
    answers = len(rows)
    if answers < CARE_MIN_GROUP:
        # Nothing but "not enough yet" leaves this function for a small group.
        return Group(label=label, answers=answers)
    return Group(
        label=label,
        answers=answers,
        carrying=round(sum(r["carrying"] for r in rows) / answers, 1),
        energy=round(sum(r["energy"] for r in rows) / answers, 1),
        debrief=sum(1 for r in rows if r["wants_debrief"]),
    )


def _counted(rows: list) -> list:
    """The answers of one group counted in its totals: each person once, by their first answer
    in the group (answering again changes nothing a trainer sees), and only the first people in
    whole steps of CARE_MIN_GROUP (5 of 5 to 9, 10 of 10 to 14…). Totals then change only when
    at least CARE_MIN_GROUP more people answered: a trainer comparing the page before and after
    one more answer cannot work it out, and five answers of one person never make a group
    (k-anonymity by people, over time). `rows` are in the order they were given."""
    first = {}
    for row in rows:
        first.setdefault(row["user_id"], row)
    people = list(first.values())
    return people[: len(people) - len(people) % CARE_MIN_GROUP]


def cohort_aggregates(cohort: Cohort) -> dict:
    """The cohort's answers by group (each heavy module, and the check-ins after no module),
    each group counted by `_counted`; the cohort's totals are those counted answers together, so
    they tell nothing the groups do not. A module is listed only once its totals are shown (a
    module listed with "not enough" would tell who answered where one person finished it)."""
    rows = list(
        CheckIn.objects.filter(cohort=cohort)
        .order_by("created_at", "pk")
        .values("user_id", "module_id", "carrying", "energy", "wants_debrief")
    )
    groups: dict = {}
    for row in rows:
        groups.setdefault(row["module_id"], []).append(row)
    counted = {key: _counted(group) for key, group in groups.items()}
    overall = _group(str(cohort.title), [r for group in counted.values() for r in group])
    shown = [key for key, group in counted.items() if key is not None and group]
    modules = {m.pk: m for m in ModulePage.objects.filter(pk__in=shown)} if shown else {}
    titles = titles_in_active_language(list(modules.values())) if modules else {}
    listed = []
    for key in sorted(modules):
        module = modules[key]
        listed.append(_group(titles.get(module.translation_key, module.title), counted[key]))
    return {"overall": overall, "modules": listed, "min_group": CARE_MIN_GROUP}


def debrief_requests(cohort: Cohort) -> dict:
    """The cohort's debrief requests: open ones first, then the last handled ones."""
    requests = DebriefRequest.objects.filter(cohort=cohort).select_related("user", "handled_by")
    return {
        "open": list(requests.filter(handled_at__isnull=True).order_by("created_at", "pk")),
        "handled": list(requests.filter(handled_at__isnull=False).order_by("-handled_at")[:20]),
    }
