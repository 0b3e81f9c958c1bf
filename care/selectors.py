"""Reads of care: what a person sees of their own check-ins, what the dashboard offers, and what a
cohort's trainers see: totals of whole batches of CARE_MIN_GROUP people's answers (CheckInBatch),
never one answer and never who answered."""

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

# k-anonymity: trainers see answers in batches of this many people (CheckInBatch), never fewer.
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


def cohorts_cared_for(user):
    """The cohorts whose care page this person reads: those listing them as a trainer while they
    hold the trainer role (the rule of `current_trainers`). No administrator sees another
    cohort's: its totals and debrief requests (what members chose to tell their trainers) are for
    its own trainers only."""
    if not (user.is_authenticated and user.is_active and user.has_role(Role.TRAINER)):
        return Cohort.objects.none()
    return Cohort.objects.filter(trainers=user)


def my_cohorts(user) -> list[Cohort]:
    """The cohorts the person is a member of now, with trainers to ask for a debrief."""
    trainers = User.objects.filter(TRAINER_ROLE, pk=OuterRef("trainers"))
    return list(
        Cohort.objects.filter(memberships__user=user, memberships__left_at__isnull=True)
        .filter(Exists(trainers))
        .distinct().order_by("starts_on", "pk")
    )  # fmt: skip


def module_offer(*, request, module: ModulePage, shown: ModulePage, progress) -> dict:
    """The module page's offer of a private check-in (courses.module_extras): after a module its
    editors marked heavy, to a person whose reading is recorded. `module` is the original: a
    translated copy follows its setting, as the check-in (views._occasion) and the trainers'
    totals do. Reads nothing."""
    if not (progress and module.heavy):
        return {}
    return {"module_id": shown.pk}


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
    """The totals of `rows` (answers counted, see `counted_answers`): nothing but their number
    when there are fewer than CARE_MIN_GROUP."""
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


def counted_answers(cohort: Cohort) -> dict:
    """The answers the trainers' totals count, by group (a heavy module's pk; None: check-ins
    after no module): those of the group's live batches, each whole. A batch is the first
    answers of CARE_MIN_GROUP people, frozen when the fifth came in (care.services); when any
    of its answers is deleted (by the person, with their account, by the retention purge) the
    whole batch stops counting and its people never count in the group again. So the totals a
    trainer can compare, before and after any answer or deletion, differ by whole batches of
    at least five people, never by one person's answer; answering again changes nothing; five
    answers of one person never make a batch (k-anonymity by people, over time). A batch
    short of an answer (a deletion racing its forming) counts for nothing either."""
    rows = (
        CheckIn.objects.filter(batch__cohort=cohort, batch__dropped_at__isnull=True)
        .order_by("batch_id", "created_at", "pk")
        .values("batch_id", "batch__module_id", "carrying", "energy", "wants_debrief")
    )  # fmt: skip
    batches: dict = {}
    for row in rows:
        batches.setdefault(row["batch_id"], []).append(row)
    groups: dict = {}
    for answers in batches.values():
        if len(answers) == CARE_MIN_GROUP:
            groups.setdefault(answers[0]["batch__module_id"], []).extend(answers)
    return groups


def cohort_aggregates(cohort: Cohort) -> dict:
    """The cohort's totals by group (each heavy module, and the check-ins after no module), each
    counting its live batches only (`counted_answers`); the cohort's totals are those counted
    answers together, so they tell nothing the groups do not. A module is listed only once it
    has a counted batch (a module listed with "not enough" would tell who answered where one
    person finished it)."""
    counted = counted_answers(cohort)
    overall = _group(str(cohort.title), [r for group in counted.values() for r in group])
    shown = [key for key in counted if key is not None]
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
