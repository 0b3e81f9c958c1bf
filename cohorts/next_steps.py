"""What cohorts add to a course page's next step (courses.next_steps): the person's application
waiting for the trainers (with when it was sent), their place on a waitlist, or the cohorts
teaching the course that take people now. Two queries, whatever the number of cohorts."""

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from courses.next_steps import NextStep

from .models import Application, Cohort

# Cohorts named on a course page; beyond these, a link to the list of cohorts.
SHOWN = 3
# The cohorts still going (Cohort.Status): applications to others wait for nothing.
LIVE = (Cohort.Status.OPEN, Cohort.Status.RUNNING)


def _sent_on(moment) -> str:
    """The day, in the viewer's time zone (the one active for the request)."""
    return formats.date_format(timezone.localtime(moment), "DATE_FORMAT")


def _places_ahead():
    """Annotation: how many wait before this application on its cohort's waitlist."""
    ahead = (
        Application.objects.filter(
            Q(waitlisted_at__lt=OuterRef("waitlisted_at"))
            | Q(waitlisted_at=OuterRef("waitlisted_at"), pk__lt=OuterRef("pk")),
            cohort_id=OuterRef("cohort_id"), status=Application.Status.WAITLISTED,
        )
        .order_by().values("cohort_id").annotate(n=Count("pk")).values("n")[:1]
    )  # fmt: skip
    return Coalesce(Subquery(ahead), 0)


def _apply_step(cohort: Cohort, now) -> NextStep:
    values = {"cohort": cohort.title, "date": formats.date_format(cohort.starts_on, "DATE_FORMAT")}
    url = reverse("cohorts:detail", args=[cohort.slug])
    started = cohort.starts_on < cohort.local_today(now)  # running, and still takes people
    if cohort.mode == Cohort.Mode.OPEN:
        text = (
            _("Learn it with others in “%(cohort)s”, open to everyone (started on %(date)s).")
            if started
            else _("Learn it with others in “%(cohort)s”, open to everyone (starts on %(date)s).")
        )
        action = _("Join the cohort")
    elif cohort.mode == Cohort.Mode.INVITATION:
        text = (
            _("Learn it with others in “%(cohort)s”, with an invitation code (started on "
              "%(date)s).")
            if started
            else _("Learn it with others in “%(cohort)s”, with an invitation code (starts on "
                   "%(date)s).")
        )  # fmt: skip
        action = _("Enter your code")
    else:
        text = (
            _("Learn it with others in “%(cohort)s”: apply, and its trainers answer you "
              "(started on %(date)s).")
            if started
            else _("Learn it with others in “%(cohort)s”: apply, and its trainers answer you "
                   "(starts on %(date)s).")
        )  # fmt: skip
        action = _("Apply to the cohort")
    return NextStep(kind="apply", text=text % values, action=action, url=url, order=20)


def course_next_steps(user, course) -> list[NextStep]:
    """`course` is the original; the person is not enrolled in it (courses asks only then)."""
    now = timezone.now()
    cohorts = [
        cohort
        for cohort in Cohort.objects.filter(courses=course, status__in=LIVE).order_by(
            "starts_on", "title"
        )
        if cohort.accepts_applications(now)
    ]
    steps: list[NextStep] = []
    involved: set[int] = set()  # cohorts the person has applied to (whatever the answer)
    if user.is_authenticated:
        applications = (
            # Only cohorts still going: an application to one finished or archived waits for
            # nothing (the person sees the cohorts open now instead).
            Application.objects.filter(
                user=user, cohort__courses=course, cohort__status__in=LIVE,
            )
            .exclude(status=Application.Status.WITHDRAWN)
            .select_related("cohort").annotate(ahead=_places_ahead())
            .order_by("submitted_at", "pk")
        )  # fmt: skip
        for application in applications:
            cohort = application.cohort
            if cohort.is_over(now):  # past its last day, not yet marked finished
                continue
            involved.add(application.cohort_id)
            url = reverse("cohorts:detail", args=[cohort.slug])
            if application.status == Application.Status.SUBMITTED:
                steps.append(NextStep(
                    kind="application_waiting", order=10, url=url,
                    text=_("Your application to “%(cohort)s” is waiting for the trainers "
                           "(sent on %(date)s).")
                    % {"cohort": cohort.title, "date": _sent_on(application.submitted_at)},
                    action=_("See your application"),
                ))  # fmt: skip
            elif application.status == Application.Status.WAITLISTED:
                steps.append(NextStep(
                    kind="waitlisted", order=10, url=url,
                    text=_("You're on the waitlist of “%(cohort)s” (position %(position)s).")
                    % {"cohort": cohort.title, "position": application.ahead + 1},
                    action=_("See the cohort"),
                ))  # fmt: skip
    open_cohorts = [cohort for cohort in cohorts if cohort.pk not in involved]
    steps += [_apply_step(cohort, now) for cohort in open_cohorts[:SHOWN]]
    if len(open_cohorts) > SHOWN:
        steps.append(NextStep(
            kind="more_cohorts", order=30, text="", action=_("See all open cohorts"),
            url=reverse("cohorts:list"),
        ))  # fmt: skip
    elif not steps and not course.self_paced:
        steps.append(NextStep(
            kind="no_cohort", order=30,
            text=_("No cohort teaching this course takes people right now. Other cohorts may "
                   "interest you, and new ones open during the year."),
            action=_("See open cohorts"), url=reverse("cohorts:list"),
        ))  # fmt: skip
    return steps
