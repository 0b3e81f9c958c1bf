"""Reads of care: what a person sees of their own check-ins, what the dashboard offers, and what a
cohort's trainers see: the frozen totals of batches of CARE_MIN_GROUP people's answers
(CheckInBatch), never one answer and never who answered."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Exists, OuterRef, Q, Sum
from django.utils import timezone

from cohorts.models import Cohort, Membership
from courses.models import ModulePage
from courses.page_cache import cached
from training.i18n import titles_in_active_language
from training.models import User
from training.prepared import Prepared, Together
from training.roles import GROUP_FOR_ROLE, Role

from .models import CareSettings, CheckIn, CheckInBatch, DebriefRequest

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


@dataclass
class Totals:
    """Batches' frozen totals added up (CheckInBatch): anonymous sums, no answer."""

    answers: int = 0
    carrying: int = 0
    energy: int = 0
    debriefs: int = 0

    def __add__(self, other: "Totals") -> "Totals":
        return Totals(self.answers + other.answers, self.carrying + other.carrying,
                      self.energy + other.energy, self.debriefs + other.debriefs)  # fmt: skip


def _group(label: str, totals: Totals) -> Group:
    """What the trainers read of `totals`: nothing but their number below CARE_MIN_GROUP."""
    answers = totals.answers
    if answers < CARE_MIN_GROUP:
        # Nothing but "not enough yet" leaves this function for a small group.
        return Group(label=label, answers=answers)
    return Group(
        label=label,
        answers=answers,
        carrying=round(totals.carrying / answers, 1),
        energy=round(totals.energy / answers, 1),
        debrief=totals.debriefs,
    )


def counted_totals(cohort: Cohort) -> dict[int, Totals]:
    """The totals the trainers read, by group (`module_key`: a heavy module's pk, 0 for the
    check-ins after none): the group's live batches' frozen totals added up, never the
    check-ins. A batch is frozen when the fifth person not yet counted in the group answers
    (care.services); deleting an answer changes nothing here, and a batch goes only when the
    purge finds it older than the retention period. So the totals move only when a batch forms
    (five more people) or expires, never because one person did something."""
    rows = (
        CheckInBatch.objects.filter(cohort=cohort, answers__gte=CARE_MIN_GROUP)
        .values("module_key").order_by("module_key")
        .annotate(n=Sum("answers"), carrying=Sum("carrying_sum"), energy=Sum("energy_sum"),
                  wanted=Sum("debriefs"))
        .values_list("module_key", "n", "carrying", "energy", "wanted")
    )  # fmt: skip
    return {key: Totals(*sums) for key, *sums in rows}


def cohort_aggregates(cohort: Cohort) -> dict:
    """The cohort's totals by group (each heavy module, and the check-ins after no module), each
    its batches' totals (`counted_totals`); the cohort's totals are the groups' together, a
    deleted module's included, so they tell nothing the groups do not. A module is listed only
    once it has a batch (a module listed with "not enough" would tell who answered where one
    person finished it), and only while its page exists."""
    counted = counted_totals(cohort)
    overall = _group(str(cohort.title), sum(counted.values(), Totals()))
    keys = [key for key in counted if key]
    modules = {m.pk: m for m in ModulePage.objects.filter(pk__in=keys)} if keys else {}
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
