"""Joining and leaving cohorts: applications, decisions, capacity and the waitlist.

Every change to who holds a place locks the cohort's row first, so that two people can never
take the last place together: one gets it, the other waits on the waitlist. Becoming a member
enrols the person in the cohort's courses; leaving keeps their progress.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from courses import services as course_services
from training import audit, outbox
from training.errors import ServiceError

from . import shared_skills
from .models import (
    Application,
    Cohort,
    InvitationCode,
    Membership,
    MessageTemplate,
    ModuleRelease,
    ScreeningQuestion,
    Skill,
    SkillSignOff,
    same_skill,
)
from .progress import offers_skill, skills_of
from .selectors import (
    is_listed_trainer,
    membership_of,
    places_left,
    shares_a_course,
    trains,
)
from .tasks import notify_application, notify_member_left

MAX_ANSWER_LENGTH = 5000
MAX_NOTES_LENGTH = 5000


def _tell(application: Application, event: str) -> None:
    """Tell the person about their application once the change is saved (in the background).
    `event`: "received", "decided", or "promoted" (a place opened while they waited)."""
    outbox.queue(notify_application, application.pk, event, application.status)


class CohortError(ServiceError):
    """What the person asked for cannot be done; the message says why, translated."""

    code = "cohort"


# --- Places -------------------------------------------------------------------------------------
def _locked(cohort: Cohort) -> Cohort:
    return Cohort.objects.select_for_update().get(pk=cohort.pk)


def _admit(cohort, user, source, *, application=None, by=None, message="",
           now=None) -> Membership:  # fmt: skip
    """Give the person a place (the caller holds the cohort's lock) and enrol them."""
    now = now or timezone.now()
    membership, created = Membership.objects.get_or_create(
        cohort=cohort, user=user, defaults={"source": source, "joined_at": now}
    )
    if not created and membership.left_at is not None:
        membership.left_at = None
        membership.left_reason = ""
        membership.source = source
        membership.joined_at = now
        membership.save(update_fields=["left_at", "left_reason", "source", "joined_at"])
    for course in cohort.courses.all():
        course_services.enrolment_create(user=user, course=course, source="cohort")
    if application is not None:
        application.status = Application.Status.ACCEPTED
        application.decided_at = now
        application.decided_by = by
        application.waitlisted_at = None
        # The message goes with this decision only: someone promoted from the waitlist must not
        # read again "the cohort is full" under "you have a place".
        application.message = message
        application.save()
    return membership


def enrol_members_in_courses(cohort: Cohort) -> None:
    """After the cohort's courses changed: every member is enrolled in each of them."""
    courses = list(cohort.courses.all())
    for membership in cohort.memberships.filter(left_at__isnull=True).select_related("user"):
        for course in courses:
            course_services.enrolment_create(user=membership.user, course=course, source="cohort")


def _waitlist(application: Application, *, by=None, message="") -> Application:
    if application.status != Application.Status.WAITLISTED:
        application.status = Application.Status.WAITLISTED
        application.waitlisted_at = timezone.now()
    application.decided_by = by
    application.decided_at = timezone.now() if by else application.decided_at
    application.message = message  # never an earlier decision's words
    application.save()
    return application


def _is_full(cohort: Cohort) -> bool:
    left = places_left(cohort)
    return left is not None and left <= 0


SOURCE_FOR_MODE = {
    Cohort.Mode.OPEN: Membership.Source.OPEN,
    Cohort.Mode.APPLICATION: Membership.Source.APPLICATION,
    Cohort.Mode.INVITATION: Membership.Source.INVITATION,
}


def _promote(cohort: Cohort) -> list[Application]:
    """Fill free places from the waitlist, first come first served (the caller holds the
    cohort's lock, so a freed place can never be taken by someone who did not wait)."""
    promoted = []
    while not _is_full(cohort):
        first = (
            Application.objects.select_for_update()
            .filter(cohort=cohort, status=Application.Status.WAITLISTED)
            # Someone made a trainer of the cohort while waiting never becomes its member.
            .exclude(user__in=cohort.trainers.values("pk"))
            .order_by("waitlisted_at", "pk")
            .first()
        )
        if first is None:
            break
        _admit(cohort, first.user, SOURCE_FOR_MODE[cohort.mode], application=first)
        _tell(first, "promoted")
        promoted.append(first)
    return promoted


@transaction.atomic
def promote_waitlist(cohort: Cohort) -> list[Application]:
    """After the capacity changed: give the new places to the waitlist."""
    return _promote(_locked(cohort))


def _refuse_own_cohort(cohort: Cohort, user) -> None:
    if is_listed_trainer(cohort, user.pk):
        raise CohortError(
            _("You are a trainer of this cohort: you cannot also join it as a member. Ask a "
              "coordinator about a cohort trained by others.")
        )  # fmt: skip


# --- Volunteers ---------------------------------------------------------------------------------
def _check_open(cohort: Cohort, mode: str) -> None:
    if cohort.mode != mode:
        raise CohortError(_("This cohort does not take people this way."))
    if not cohort.accepts_applications():
        raise CohortError(_("This cohort is not taking new people at the moment."))


def clean_answers(cohort: Cohort, raw: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """The answers to keep, and errors by question id (translated)."""
    answers, errors = {}, {}
    for question in cohort.questions.all():
        key = str(question.pk)
        value = (raw.get(key) or "").strip()
        if len(value) > MAX_ANSWER_LENGTH:
            errors[key] = _("Please keep it under %(count)s characters.") % {
                "count": MAX_ANSWER_LENGTH
            }
        elif not value and question.required:
            errors[key] = _("Please answer this question.")
        elif (
            value
            and question.kind == ScreeningQuestion.Kind.CHOICE
            and (value not in question.choices)
        ):
            errors[key] = _("Please choose one of the options.")
        if value:
            answers[key] = value
    return answers, errors


@transaction.atomic
def application_submit(*, cohort: Cohort, user, answers: dict[str, str]) -> Application:
    """Apply to a cohort by application. Raises CohortError; answers are checked by the view
    (`clean_answers`) so that the form can show each error beside its question."""
    _check_open(cohort, Cohort.Mode.APPLICATION)
    _refuse_own_cohort(cohort, user)
    # The cohort's lock serialises a person's two submissions made at once (a double click).
    cohort = _locked(cohort)
    answers, errors = clean_answers(cohort, answers)
    if errors:
        raise CohortError(_("Some answers need your attention."))
    application = Application.objects.select_for_update().filter(cohort=cohort, user=user).first()
    active = (Application.Status.SUBMITTED, Application.Status.WAITLISTED,
              Application.Status.ACCEPTED)  # fmt: skip
    # Accepted, then moved to another cohort by a trainer: they may apply here again.
    moved_away = (application is not None and application.status == Application.Status.ACCEPTED
                  and membership_of(cohort, user) is None)  # fmt: skip
    if application is not None and application.status in active and not moved_away:
        raise CohortError(_("You have already applied to this cohort."))
    if application is not None and application.status == Application.Status.DECLINED:
        raise CohortError(_("Your application to this cohort was declined."))
    if application is None:
        application = Application(cohort=cohort, user=user)
    application.status = Application.Status.SUBMITTED
    application.answers = answers
    application.submitted_at = timezone.now()
    application.waitlisted_at = application.decided_at = application.decided_by = None
    application.message = ""
    application.save()
    _tell(application, "received")
    return application


def _join(cohort: Cohort, user, source: str, *, tell: bool = True) -> Membership | Application:
    """A place if there is one, else the waitlist (the caller holds the cohort's lock). `tell`:
    email the person that they wait (not when the page they answered on says it already and
    the email that brought them there said it could happen: an invitation)."""
    _refuse_own_cohort(cohort, user)
    membership = membership_of(cohort, user)
    if membership is not None:
        return membership
    _promote(cohort)  # places freed by a larger capacity go to those waiting first
    application = Application.objects.filter(cohort=cohort, user=user).first()
    if application is not None and application.status == Application.Status.DECLINED:
        raise CohortError(_("The trainers of this cohort did not give you a place in it."))
    if application is not None and application.status == Application.Status.WAITLISTED:
        return application  # already waiting: keep the place in the queue
    someone_waits = Application.objects.filter(
        cohort=cohort, status=Application.Status.WAITLISTED
    ).exists()
    if not _is_full(cohort) and not someone_waits:
        return _admit(cohort, user, source)
    if application is None:
        application = Application(cohort=cohort, user=user)
    application.answers = {}
    _waitlist(application)
    if tell:
        _tell(application, "decided")
    return application


@transaction.atomic
def join_open(*, cohort: Cohort, user) -> Membership | Application:
    _check_open(cohort, Cohort.Mode.OPEN)
    return _join(_locked(cohort), user, Membership.Source.OPEN)


@transaction.atomic
def join_with_code(*, cohort: Cohort, user, code: str) -> Membership | Application:
    _check_open(cohort, Cohort.Mode.INVITATION)
    _refuse_own_cohort(cohort, user)  # before the code is used up
    invitation = (
        InvitationCode.objects.select_for_update()
        .filter(cohort=cohort, code=code.strip().upper())
        .first()
    )
    if invitation is None or not invitation.usable():
        raise CohortError(_("This code is not valid. Check it, or ask the trainers for a new one."))
    cohort = _locked(cohort)
    if membership_of(cohort, user) is not None:
        raise CohortError(_("You are already a member of this cohort."))
    if Application.objects.filter(
        cohort=cohort, user=user, status=Application.Status.WAITLISTED
    ).exists():
        raise CohortError(_("You are already on the waitlist of this cohort."))
    invitation.uses += 1
    invitation.save(update_fields=["uses"])
    return _join(cohort, user, Membership.Source.INVITATION)


def withdraw(*, cohort: Cohort, user, reason: str = Membership.LeftReason.WITHDREW) -> None:
    """Withdraw an application or leave the cohort. A freed place goes to the waitlist."""
    with transaction.atomic():
        cohort = _locked(cohort)
        Membership.objects.filter(cohort=cohort, user=user, left_at__isnull=True).update(
            left_at=timezone.now(), left_reason=reason
        )
        # The answers were for the trainers' decision: once withdrawn, they are not kept.
        # decided_at records when it closed (the closed application is deleted after a period).
        Application.objects.filter(cohort=cohort, user=user).exclude(
            status__in=[Application.Status.DECLINED, Application.Status.WITHDRAWN]
        ).update(
            status=Application.Status.WITHDRAWN, waitlisted_at=None, answers={},
            decided_at=timezone.now(),
        )  # fmt: skip
        _promote(cohort)


@transaction.atomic
def cohorts_leave_all(*, user) -> dict[str, list[str]]:
    """The person asked for their account to be deleted: leave every cohort that is not over, and
    withdraw every open application and place on a waitlist, each as `withdraw` does (freed
    places go to the waitlist, the people promoted are told). A cohort that is over keeps its
    member: leaving it would change nothing but its history (after the deletion its records
    show "Former member"). Returns the titles of the cohorts left and of those whose
    application or waitlist place was withdrawn: {"cohorts": [...], "applications": [...]}."""
    open_applications = [Application.Status.SUBMITTED, Application.Status.WAITLISTED]
    member_of = set(
        Membership.objects.filter(user=user, left_at__isnull=True).values_list("cohort_id",
                                                                               flat=True)
    )  # fmt: skip
    applied_to = set(
        Application.objects.filter(user=user, status__in=open_applications).values_list(
            "cohort_id", flat=True)
    )  # fmt: skip
    left, withdrawn = [], []
    # In a fixed order, so that two runs at once lock the cohorts in the same order.
    for cohort in Cohort.objects.filter(pk__in=member_of | applied_to).order_by("pk"):
        if cohort.pk in member_of and not cohort.is_over():
            withdraw(cohort=cohort, user=user, reason=Membership.LeftReason.ACCOUNT)
            left.append(cohort.title)
        elif cohort.pk in applied_to:
            if cohort.is_over():  # nobody is promoted into a cohort that is over
                Application.objects.filter(
                    cohort=cohort, user=user, status__in=open_applications
                ).update(status=Application.Status.WITHDRAWN, waitlisted_at=None, answers={},
                         decided_at=timezone.now())  # fmt: skip
            else:
                withdraw(cohort=cohort, user=user, reason=Membership.LeftReason.ACCOUNT)
            withdrawn.append(cohort.title)
    return {"cohorts": left, "applications": withdrawn}


@transaction.atomic
def sign_offs_forget_notes(*, user) -> int:
    """The account was deleted: the sign-offs it received stay (anonymous counts), but the
    trainers' notes about the person go. Returns how many sign-offs were changed."""
    return SkillSignOff.objects.filter(user=user).exclude(notes="").update(notes="")


# --- Trainers -----------------------------------------------------------------------------------
class Decision:
    ACCEPT = "accept"
    DECLINE = "decline"
    WAITLIST = "waitlist"
    ALL = (ACCEPT, DECLINE, WAITLIST)


def decide(*, application: Application, decision: str, by, message: str = "",
           waitlist_message: str = "", request=None) -> str:  # fmt: skip
    """Accept, decline or waitlist one application. Returns what happened: "accepted",
    "waitlisted" (also when accepting found the cohort full), "declined" or "unchanged". Each
    change is in the audit log (a bulk decision: one entry per application).

    `message` goes with the decision asked for; someone an acceptance could not give a place
    (the cohort is full) gets `waitlist_message` instead: never "welcome" with a waitlist."""
    if decision not in Decision.ALL:
        raise CohortError(_("Unknown decision."))
    with transaction.atomic():
        outcome = _decide(application=application, decision=decision, by=by, message=message,
                          waitlist_message=waitlist_message)  # fmt: skip
        if outcome != "unchanged":
            audit.record(
                action="application.decided", actor=by, subject=application.user_id,
                request=request,
                detail={"cohort": application.cohort_id, "application": application.pk,
                        "decision": decision, "outcome": outcome},
            )  # fmt: skip
    return outcome


def _decide(*, application: Application, decision: str, by, message: str,
            waitlist_message: str = "") -> str:  # fmt: skip
    with transaction.atomic():
        cohort = _locked(application.cohort)
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.status == Application.Status.WITHDRAWN:
            return "unchanged"
        if decision == Decision.ACCEPT:
            if application.status == Application.Status.ACCEPTED:
                return "unchanged"
            if is_listed_trainer(cohort, application.user_id):
                raise CohortError(_("This person is a trainer of this cohort: they cannot also "
                                    "be a member of it."))  # fmt: skip
            if _is_full(cohort):
                if application.status == Application.Status.WAITLISTED:
                    return "unchanged"  # already waiting: keeps their place, told nothing new
                _waitlist(application, by=by, message=waitlist_message)
                _tell(application, "decided")
                return "waitlisted"
            _admit(cohort, application.user, Membership.Source.APPLICATION,
                   application=application, by=by, message=message)  # fmt: skip
            _tell(application, "decided")
            return "accepted"
        if decision == Decision.WAITLIST:
            if application.status == Application.Status.ACCEPTED:
                raise CohortError(_("This person is already a member."))
            _waitlist(application, by=by, message=message)
            _tell(application, "decided")
            return "waitlisted"
        # Decline: a member declined later leaves, and their place goes to the waitlist.
        Membership.objects.filter(
            cohort=cohort, user=application.user, left_at__isnull=True
        ).update(left_at=timezone.now(), left_reason=Membership.LeftReason.DECLINED)
        application.status = Application.Status.DECLINED
        application.waitlisted_at = None
        application.decided_at = timezone.now()
        application.decided_by = by
        application.message = message
        application.save()
        _tell(application, "decided")
        _promote(cohort)
    return "declined"


def in_decision_order(applications) -> list[Application]:
    """The order a bulk decision takes: those waiting longest on the waitlist first, then by
    the time they applied (the order of the trainer's list)."""
    return sorted(applications, key=lambda a: (a.waitlisted_at is None,
                                               a.waitlisted_at or a.submitted_at,
                                               a.submitted_at, a.pk))  # fmt: skip


def decision_plan(*, cohort: Cohort, applications, decision: str) -> dict[int, str]:
    """What a bulk decision would do to each application, as `decide` would do it now: by
    application id, "accepted", "waitlisted", "declined", "unchanged" (also someone already
    waiting whom an acceptance finds no place for: they keep their place in the queue) or
    "refused" (a trainer of the cohort, or waitlisting a member). Reads only;
    `applications_decide` applies."""
    if decision not in Decision.ALL:
        raise CohortError(_("Unknown decision."))
    left = places_left(cohort)
    trainers = set(cohort.trainers.values_list("pk", flat=True))
    plan = {}
    for application in in_decision_order(applications):
        status = application.status
        if status == Application.Status.WITHDRAWN:
            plan[application.pk] = "unchanged"
        elif decision == Decision.DECLINE:
            plan[application.pk] = "declined"
        elif decision == Decision.WAITLIST:
            plan[application.pk] = ("refused" if status == Application.Status.ACCEPTED
                                    else "waitlisted")  # fmt: skip
        elif status == Application.Status.ACCEPTED:
            plan[application.pk] = "unchanged"
        elif application.user_id in trainers:
            plan[application.pk] = "refused"
        elif left is None or left > 0:
            plan[application.pk] = "accepted"
            left = None if left is None else left - 1
        elif status == Application.Status.WAITLISTED:
            plan[application.pk] = "unchanged"  # keeps their place in the queue
        else:
            plan[application.pk] = "waitlisted"
    return plan


def applications_decide(*, applications, decision: str, by, message: str = "",
                        waitlist_message: str = "", request=None) -> list[tuple]:  # fmt: skip
    """A bulk decision, in `in_decision_order`: each application decided on its own (one lock,
    one audit entry, one message each). Returns (application, outcome, error) for each: the
    outcome is what really happened (another trainer may have filled the cohort since the
    preview), the error a translated reason when it could not be done."""
    results = []
    for application in in_decision_order(applications):
        try:
            outcome = decide(application=application, decision=decision, by=by, message=message,
                             waitlist_message=waitlist_message, request=request)  # fmt: skip
        except CohortError as error:
            results.append((application, "refused", str(error)))
        else:
            results.append((application, outcome, ""))
    return results


# --- Members ------------------------------------------------------------------------------------
def _tell_member(membership: Membership, event: str, *, to: Cohort | None = None) -> None:
    outbox.queue(notify_member_left, membership.pk, event, getattr(to, "pk", None))


def _active_membership(cohort: Cohort, user) -> Membership:
    membership = (
        Membership.objects.select_for_update().filter(cohort=cohort, user=user,
                                                      left_at__isnull=True).first()
    )  # fmt: skip
    if membership is None:
        raise CohortError(_("This person is not a member of this cohort."))
    return membership


@transaction.atomic
def member_remove(*, cohort: Cohort, user, by, message: str = "", request=None) -> Membership:
    """A trainer ends a member's place: their progress in the courses is kept, they cannot join
    again by themselves (an application declined; a trainer may accept it again later), the
    person is told (with the trainers' message) and the freed place goes to the waitlist."""
    cohort = _locked(cohort)
    membership = _active_membership(cohort, user)
    now = timezone.now()
    membership.left_at, membership.left_reason = now, Membership.LeftReason.REMOVED
    membership.save(update_fields=["left_at", "left_reason"])
    application, _created = Application.objects.select_for_update().get_or_create(
        cohort=cohort, user=user
    )
    application.status = Application.Status.DECLINED
    application.waitlisted_at = None
    application.answers = {}
    application.decided_at, application.decided_by = now, by
    application.message = message.strip()[:MAX_NOTES_LENGTH]
    application.save()
    audit.record(action="cohort.member_removed", actor=by, subject=user, request=request,
                 detail={"cohort": cohort.pk, "cohort_title": cohort.title})  # fmt: skip
    _tell_member(membership, "removed")
    _promote(cohort)
    return membership


def member_move(*, cohort: Cohort, user, to: Cohort, by, message: str = "",
                request=None) -> Membership:  # fmt: skip
    """Move a member to another cohort of the same course: they leave this one (reason
    "moved") and take a place in the other, keeping their progress (it belongs to the person
    and the course, not to a cohort). Refused when the other cohort is full or over, or when
    people wait there for a place (nobody jumps its queue). The person is told (with the
    trainers' message, kept on their accepted application in the other cohort, shown on its
    page); the freed place here goes to the waitlist."""
    if to.pk == cohort.pk:
        raise CohortError(_("Choose another cohort."))
    with transaction.atomic():
        # Both cohorts locked, always in the same order (two moves at once cannot deadlock).
        first, second = sorted([cohort, to], key=lambda c: c.pk)
        locked = {c.pk: _locked(c) for c in (first, second)}
        cohort, to = locked[cohort.pk], locked[to.pk]
        if not shares_a_course(cohort, to):
            raise CohortError(_("A member can only be moved to a cohort of the same course."))
        if to.is_over():
            raise CohortError(_("That cohort has ended: it takes nobody new."))
        if is_listed_trainer(to, user.pk):
            raise CohortError(_("This person is a trainer of that cohort: they cannot also be "
                                "a member of it."))  # fmt: skip
        membership = _active_membership(cohort, user)
        if membership_of(to, user) is not None:
            raise CohortError(_("This person is already a member of that cohort."))
        if _is_full(to):
            raise CohortError(_("That cohort is full. Give it more places first, or choose "
                                "another cohort."))  # fmt: skip
        # Nobody jumps the queue: a free place there belongs to those waiting for it first.
        ahead = Application.objects.filter(cohort=to, status=Application.Status.WAITLISTED)
        mine = ahead.filter(user=user).first()
        ahead = ahead.exclude(user=user)
        if mine is not None:
            ahead = ahead.filter(Q(waitlisted_at__lt=mine.waitlisted_at)
                                 | Q(waitlisted_at=mine.waitlisted_at, pk__lt=mine.pk))  # fmt: skip
        if ahead.exists():
            raise CohortError(_("People are waiting for a place in that cohort: moving this "
                                "person there would take a place before them. Give that cohort "
                                "more places first (they go to those waiting), or choose "
                                "another cohort."))  # fmt: skip
        now = timezone.now()
        membership.left_at = now
        membership.left_reason = Membership.LeftReason.MOVED
        membership.save(update_fields=["left_at", "left_reason"])
        # Their application here stays what it was (accepted: they did not withdraw); the
        # membership says they moved. Its message was for that decision, not for the move.
        Application.objects.filter(cohort=cohort, user=user).update(waitlisted_at=None,
                                                                    message="")  # fmt: skip
        # A place in the other cohort (a place they waited for there is theirs now), decided by
        # the trainer, with their message. Joined when they left here: the trainer's page finds
        # where they went by it.
        there, _created = Application.objects.select_for_update().get_or_create(
            cohort=to, user=user
        )
        new = _admit(to, user, Membership.Source.MOVED, application=there, by=by,
                     message=message.strip()[:MAX_NOTES_LENGTH], now=now)  # fmt: skip
        audit.record(action="cohort.member_moved", actor=by, subject=user, request=request,
                     detail={"cohort": cohort.pk, "cohort_title": cohort.title,
                             "to_cohort": to.pk, "to_cohort_title": to.title})  # fmt: skip
        _tell_member(membership, "moved", to=to)
        _promote(cohort)
    return new


# --- Skills -------------------------------------------------------------------------------------
def _refuse_self_certification(cohort: Cohort, user, by) -> None:
    """Nobody vouches for themselves: not the acting trainer, and not any trainer of the cohort
    (a trainer's skills and attendance are another cohort's trainers' to confirm)."""
    if user.pk == getattr(by, "pk", None) or is_listed_trainer(cohort, user.pk):
        raise CohortError(_("A trainer of this cohort cannot be signed off in it: another "
                            "cohort's trainers confirm a trainer's skills."))  # fmt: skip


@transaction.atomic
def skill_sign_off(*, cohort: Cohort, skill: Skill, user, by, notes: str = "") -> SkillSignOff:
    """Sign off (or sign off again, with new notes) one skill for one member of the cohort: a
    skill of the cohort, of a course it takes, or of the certification track it prepares for
    (any cohort on the track signs those off)."""
    _refuse_self_certification(cohort, user, by)
    if not offers_skill(cohort, skill):
        raise CohortError(_("This skill is not signed off in this cohort."))
    if not Membership.objects.filter(cohort=cohort, user=user, left_at__isnull=True).exists():
        raise CohortError(_("This person is not a member of this cohort."))
    notes = notes.strip()
    if len(notes) > MAX_NOTES_LENGTH:
        raise CohortError(_("Please keep the notes under %(count)s characters.")
                          % {"count": MAX_NOTES_LENGTH})  # fmt: skip
    sign_off, _created = SkillSignOff.objects.update_or_create(
        skill=skill, user=user, cohort=cohort,
        defaults={"signed_by": by, "notes": notes, "signed_at": timezone.now()},
    )  # fmt: skip
    return sign_off


@transaction.atomic
def skill_sign_off_withdraw(*, cohort: Cohort, skill: Skill, user) -> int:
    """Withdraw this cohort's sign-off (another cohort's sign-off of a shared skill stays)."""
    deleted, _by_model = SkillSignOff.objects.filter(skill=skill, user=user,
                                                     cohort=cohort).delete()  # fmt: skip
    return deleted


@transaction.atomic
def skill_create(*, cohort: Cohort, name: str, description: str, by, course=None) -> Skill:
    """Add a skill the cohort's trainers sign off: the cohort's own, or, with `course` (one the
    cohort takes), the course's, signed off in every cohort taking it. Refused when the
    certification track of a cohort that would sign it off already has a skill of that name
    (case and spacing aside): its members would be "signed off" on one and "not signed off yet"
    on the other; the trainer signs off the track's skill instead."""
    if not trains(cohort, by):
        raise CohortError(_("Only the cohort's trainers add its skills."))
    if course is not None and not cohort.courses.filter(pk=course.pk).exists():
        raise CohortError(_("Choose a course this cohort takes."))
    name, description = " ".join(name.split()), description.strip()
    if not name:
        raise CohortError(_("Enter the skill's name."))
    if len(description) > MAX_NOTES_LENGTH:
        raise CohortError(_("Please keep the description under %(count)s characters.")
                          % {"count": MAX_NOTES_LENGTH})  # fmt: skip
    # The cohorts that would sign it off: this one, or every cohort taking the course.
    signed_in = (
        Cohort.objects.filter(courses=course) if course else Cohort.objects.filter(pk=cohort.pk)
    )
    tracks_skills = shared_skills.with_groups(
        Skill.objects.filter(shared_skills.signed_off_in(signed_in))
    )
    clash = min(
        (s for s in tracks_skills if same_skill(s.name) == same_skill(name)),
        key=lambda s: (s.shared_by.pk, s.sort_order, s.pk), default=None,
    )  # fmt: skip
    if clash is not None:
        raise CohortError(
            _("The certification track “%(track)s” already has the skill “%(skill)s”: sign it "
              "off there, among the track's skills, rather than adding another.")
            % {"track": clash.shared_by.local_title, "skill": clash.name}
        )  # fmt: skip
    skill = Skill(cohort=None if course else cohort, course=course, name=name,
                  description=description)  # fmt: skip
    try:
        skill.full_clean()
    except ValidationError as error:
        raise CohortError(" ".join(error.messages)) from error
    skill.sort_order = skills_of(cohort).count()
    skill.save()
    return skill


def skill_delete(*, cohort: Cohort, skill_id: int, by) -> None:
    """Remove a skill from the cohort's trainers' list. A course's skills are shared with other
    cohorts: only administrators remove them; a track's skills are the coordinators' (edited
    with the track): never from a cohort's page."""
    removable = skills_of(cohort).exclude(shared_skills.SHARED)
    if not by.is_superuser:
        removable = removable.filter(cohort=cohort)
    deleted, _by_model = removable.filter(pk=skill_id).delete()
    if deleted:
        return
    if skills_of(cohort).filter(shared_skills.SHARED, pk=skill_id).exists():
        raise CohortError(_("A certification track's skills are edited by coordinators, with "
                            "the track."), code="track_skill")  # fmt: skip
    raise CohortError(_("Only administrators remove a course's skills."), code="course_skill")


# --- Cohorts, their codes and wording -----------------------------------------------------------
@transaction.atomic
def cohort_create(*, form, by) -> Cohort:
    """Save a valid CohortForm as a new cohort, trained by `by`."""
    cohort = form.save()
    cohort.trainers.add(by)
    return cohort


@transaction.atomic
def cohort_update(*, form, by) -> tuple[Cohort, list[Application]]:
    """Save a valid CohortForm of an existing cohort. Trainers add colleagues; nobody but an
    administrator removes another trainer. Members are enrolled in courses added, and places a
    larger capacity opens go to the waitlist at once (returned: those promoted)."""
    co_trainers = set(form.instance.trainers.all())  # before the form replaces them
    cohort = form.save()
    if not by.is_superuser:
        cohort.trainers.add(*co_trainers)
    cohort.trainers.add(by)
    enrol_members_in_courses(cohort)
    return cohort, promote_waitlist(cohort)


@transaction.atomic
def screening_questions_save(*, formset) -> None:
    """Save a valid formset of a cohort's screening questions: added, changed and removed
    together."""
    formset.save()


def invitation_code_create(*, cohort: Cohort, by, note: str = "", max_uses: int = 1,
                           expires_at=None) -> InvitationCode:  # fmt: skip
    code = InvitationCode(cohort=cohort, created_by=by, note=note, max_uses=max_uses,
                          expires_at=expires_at)  # fmt: skip
    code.save()
    return code


def invitation_code_deactivate(*, cohort: Cohort, pk: int | None) -> int:
    """The code stops working (its uses so far stay recorded). Returns how many changed."""
    return InvitationCode.objects.filter(cohort=cohort, pk=pk).update(active=False)


@transaction.atomic
def message_templates_save(*, cohort: Cohort, texts: dict[str, str]) -> None:
    """Keep the cohort's own wording of the message sent with a decision (by decision); an
    empty text keeps the one saved before."""
    for decision, text in texts.items():
        if text:
            MessageTemplate.objects.update_or_create(cohort=cohort, decision=decision,
                                                     defaults={"text": text})  # fmt: skip


@transaction.atomic
def module_releases_set(*, cohort: Cohort, opens: dict[int, object]) -> None:
    """Each module's release date in the cohort (by module id; None: no date, the module
    opens with the course)."""
    for module_id, opens_at in opens.items():
        if opens_at is None:
            ModuleRelease.objects.filter(cohort=cohort, module_id=module_id).delete()
        else:
            ModuleRelease.objects.update_or_create(
                cohort=cohort, module_id=module_id, defaults={"opens_at": opens_at}
            )
