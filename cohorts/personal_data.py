"""What cohorts keep about people (training/privacy.py): applications and their answers,
memberships, attendance, skill sign-offs, invitations, calendar addresses, messages sent, and
what trainers do. Other people appear in an export by display name at most."""

from django.utils.translation import gettext_lazy as _

from training.privacy import Declaration, Erase, Retention, declare, iso, not_personal, shown_name

from .invitations import addressed_to, invitations_forget
from .models import (
    Announcement,
    Application,
    Attendance,
    CalendarFeed,
    Cohort,
    CohortInvitation,
    InvitationCode,
    InvitationSend,
    Membership,
    ScreeningQuestion,
    SkillSignOff,
)
from .services import cohorts_leave_all, sign_offs_forget_notes


# --- Exports ------------------------------------------------------------------------------------
def _trained(person) -> list[dict]:
    return [
        {"cohort": c.title, "address": c.slug, "status": str(c.get_status_display()),
         "starts_on": iso(c.starts_on), "ends_on": iso(c.ends_on)}
        for c in Cohort.objects.filter(trainers=person).order_by("starts_on", "pk")
    ]  # fmt: skip


def _applications(person) -> list[dict]:
    applications = list(
        Application.objects.filter(user=person).select_related("cohort", "decided_by")
    )
    questions = {
        str(q.pk): q.text
        for q in ScreeningQuestion.objects.filter(cohort__in={a.cohort_id for a in applications})
    }
    return [
        {
            "cohort": a.cohort.title,
            "status": str(a.get_status_display()),
            "submitted_at": iso(a.submitted_at),
            "waitlisted_at": iso(a.waitlisted_at),
            "decided_at": iso(a.decided_at),
            "decided_by": shown_name(a.decided_by),
            "message": a.message,
            "answers": [
                {"question": questions.get(key, ""), "answer": answer}
                for key, answer in sorted(a.answers.items())
            ],
        }
        for a in applications
    ]


def _memberships(person) -> list[dict]:
    return [
        {"cohort": m.cohort.title, "how": str(m.get_source_display()),
         "joined_at": iso(m.joined_at), "left_at": iso(m.left_at),
         "why_left": str(m.get_left_reason_display()) if m.left_reason else ""}
        for m in Membership.objects.filter(user=person).select_related("cohort")
    ]  # fmt: skip


def _invitations(person) -> list[dict]:
    mine = addressed_to(person)
    return [
        {"cohort": i.cohort.title, "email": i.email, "name_typed_by_the_trainer": i.display_name,
         "invited_by": shown_name(i.invited_by), "status": i.get_state_display(),
         "created_at": iso(i.created_at), "sent_at": iso(i.sent_at),
         "expires_at": iso(i.expires_at), "answered_at": iso(i.answered_at)}
        for i in CohortInvitation.objects.filter(mine).select_related("cohort", "invited_by")
    ]  # fmt: skip


def _codes(person) -> list[dict]:
    return [
        # Not the note: it may name the person the code was given to.
        {"cohort": c.cohort.title, "code": c.code, "uses": c.uses, "uses_allowed": c.max_uses,
         "created_at": iso(c.created_at)}
        for c in InvitationCode.objects.filter(created_by=person).select_related("cohort")
    ]  # fmt: skip


def _sends(person) -> list[dict]:
    return [
        {"cohort": s.cohort.title if s.cohort else None, "emails": s.count, "at": iso(s.at)}
        for s in InvitationSend.objects.filter(sent_by=person).select_related("cohort")
    ]  # fmt: skip


def _attendance(person) -> list[dict]:
    return [
        {"session": a.session.title, "cohort": a.session.cohort.title,
         "starts_at": iso(a.session.starts_at), "status": str(a.get_status_display()),
         "caught_up_at": iso(a.caught_up_at), "marked_by": shown_name(a.marked_by),
         "marked_at": iso(a.marked_at)}
        for a in Attendance.objects.filter(user=person).select_related(
            "session__cohort", "marked_by")
    ]  # fmt: skip


def _calendar(person) -> list[dict]:
    feed = CalendarFeed.objects.filter(user=person).first()
    if feed is None:
        return []
    # Only a hash of the address is kept: the address itself cannot be given back.
    return [{"private_calendar_address": True, "made_at": iso(feed.created_at),
             "last_used_at": iso(getattr(feed, "last_used_at", None))}]  # fmt: skip


def _sign_offs(person) -> list[dict]:
    return [
        {"skill": s.skill.name, "cohort": s.cohort.title if s.cohort else None,
         "signed_by": shown_name(s.signed_by), "signed_at": iso(s.signed_at), "notes": s.notes}
        for s in SkillSignOff.objects.filter(user=person).select_related(
            "skill", "cohort", "signed_by")
    ]  # fmt: skip


def _announcements(person) -> list[dict]:
    return [
        {"cohort": a.cohort.title, "to": str(a.get_audience_display()), "subject": a.subject,
         "message": a.body, "language": a.language, "created_at": iso(a.created_at),
         "people": a.recipients}
        for a in Announcement.objects.filter(sent_by=person).select_related("cohort")
    ]  # fmt: skip


# --- Erase and suspend --------------------------------------------------------------------------
def _invitations_forget(person) -> int:
    return invitations_forget(user=person)


def _sign_offs_forget(person) -> int:
    return sign_offs_forget_notes(user=person)


def _leave_cohorts(person) -> dict:
    return cohorts_leave_all(user=person)


# --- Declarations -------------------------------------------------------------------------------
declare(
    Declaration(
        model="cohorts.Application",
        category="cohorts",
        title=_("Your applications to cohorts"),
        labels={
            "waitlisted_at": _("Put on the waiting list"),
            "message": _("Message with the decision"),
            "answers": _("Your answers"),
            "question": _("Question"),
            "answer": _("Your answer"),
        },
        holds=_(
            "Your applications to cohorts: your answers to the screening questions, where "
            "each application stands, and the message sent with the decision."
        ),
        purpose=_("So that the cohort's trainers can decide on your application and tell you."),
        seen_by=_("You and the trainers of the cohort you applied to."),
        retention=Retention(
            days_setting="ACOMPANA_CLOSED_APPLICATION_DAYS",
            after=_(
                "after an application is declined or withdrawn, if you never joined that "
                "cohort (otherwise as long as your account)"
            ),
            task="cohorts.tasks.purge_closed_applications",
        ),
        actors=("decided_by",),
        export=_applications,
        erase=Erase.DELETE,
    ),
    Declaration(
        model="cohorts.Membership",
        category="cohorts",
        title=_("Your cohorts"),
        labels={
            "how": _("How you joined"),
            "joined_at": _("Date joined"),
            "left_at": _("Left"),
            "why_left": _("Why you left"),
        },
        holds=_(
            "The cohorts you are or were a member of: how you joined, when, when you left and "
            "why (you left, a trainer removed you or moved you to another cohort…)."
        ),
        purpose=_(
            "To give you your cohorts' courses and live sessions, and your trainers the "
            "list of their members."
        ),
        seen_by=_(
            "You and the trainers of each cohort (its members see your display name "
            "where the cohort shows its member list)."
        ),
        export=_memberships,
        erase=Erase.KEEP,
        kept_because=_(
            "Your memberships stay, without your name, so that each cohort's numbers stay right."
        ),
        # Asking for the deletion leaves every cohort that is not over (and every waitlist) at
        # once: places go to the people waiting.
        suspend=_leave_cohorts,
    ),
    Declaration(
        model="cohorts.CohortInvitation",
        category="cohorts",
        title=_("Invitations to join a cohort"),
        labels={
            "name_typed_by_the_trainer": _("Name the trainer typed"),
            "invited_by": _("Invited by"),
            "sent_at": _("Sent"),
            "answered_at": _("Answered"),
        },
        holds=_(
            "Invitations a trainer sent to your email address, with the name they typed, "
            "and your answer."
        ),
        purpose=_(
            "So that you can accept or decline joining a cohort, and the trainer sees your answer."
        ),
        seen_by=_("You and the trainers of the cohort."),
        retention=Retention(
            days_setting="ACOMPANA_COHORT_INVITATION_KEEP_DAYS",
            after=_("after the invitation was answered or expired"),
            task="cohorts.tasks.expire_invitations",
        ),
        # Found by the address they were sent to (no account needed), or by who answered.
        person=("answered_by",),
        actors=("invited_by",),
        names_person=("email", "display_name"),
        export=_invitations,
        erase=_invitations_forget,
        order=10,  # before account.EmailAddress: found by every address the person has
    ),
    Declaration(
        model="cohorts.Attendance",
        category="cohorts",
        title=_("Your attendance at live sessions"),
        labels={
            "session": _("Live session"),
            "starts_at": _("Starts"),
            "caught_up_at": _("Caught up"),
            "marked_by": _("Marked by"),
            "marked_at": _("Marked"),
        },
        holds=_("Your attendance at live sessions, and whether you caught up from a recording."),
        purpose=_(
            "For your trainers to follow the cohort, and for certifications that ask "
            "for attendance."
        ),
        seen_by=_("You, the trainers of the cohort and coordinators."),
        actors=("marked_by",),
        export=_attendance,
        erase=Erase.KEEP,
        kept_because=_(
            "Your attendance stays, without your name, so that session attendance figures stay "
            "right."
        ),
    ),
    Declaration(
        model="cohorts.SkillSignOff",
        category="cohorts",
        title=_("Skills signed off for you"),
        labels={
            "skill": _("Skill"),
            "signed_by": _("Signed off by"),
            "signed_at": _("Signed off"),
            "notes": _("Notes"),
        },
        holds=_("The skills trainers signed off for you, who signed and their notes."),
        purpose=_("To record your practice, and for certifications that ask for it."),
        seen_by=_("You, the trainers of the cohort and coordinators."),
        actors=("signed_by",),
        export=_sign_offs,
        erase=_sign_offs_forget,
        kept_because=_(
            "The sign-offs stay, without your name and without the trainers' notes, so "
            "that the cohort's numbers stay right."
        ),
    ),
    Declaration(
        model="cohorts.CalendarFeed",
        category="cohorts",
        title=_("Your private calendar address"),
        labels={
            "private_calendar_address": _("You have a private calendar address"),
            "made_at": _("Made"),
        },
        holds=_(
            "Your private calendar address (only a fingerprint of it is kept) and when it was made."
        ),
        purpose=_("So that your calendar app can show your live sessions."),
        seen_by=_("Nobody: only your calendar app uses the address."),
        retention=Retention(
            days_setting="ACOMPANA_CALENDAR_FEED_UNUSED_DAYS",
            after=_("without being used"),
            task="cohorts.tasks.purge_calendar_feeds",
        ),
        export=_calendar,
        erase=Erase.DELETE,
    ),
    # What trainers do.
    Declaration(
        model="cohorts.Cohort",
        category="staff",
        title=_("Cohorts you train"),
        labels={"address": _("Address"), "starts_on": _("Starts"), "ends_on": _("Ends")},
        holds=_("The cohorts you train."),
        purpose=_(
            "To give you the trainer's tools for your cohorts, and members the names of "
            "their trainers."
        ),
        seen_by=_("The cohort's members and trainers, coordinators and administrators."),
        person=("trainers",),
        export=_trained,
        erase=Erase.KEEP,
        kept_because=_('The cohort stays for its members; it names you as "Former member".'),
    ),
    Declaration(
        model="cohorts.InvitationCode",
        category="staff",
        title=_("Invitation codes you made"),
        labels={"code": _("Code"), "uses": _("Times used"), "uses_allowed": _("Uses allowed")},
        holds=_(
            "The invitation codes you made for a cohort, with your note of who each was given to."
        ),
        purpose=_(
            "So that people can join a cohort by invitation, and trainers know which code "
            "went where."
        ),
        seen_by=_("The trainers of the cohort."),
        person=("created_by",),
        names_person=("note",),
        export=_codes,
        erase=Erase.KEEP,
        kept_because=_("The codes belong to the cohort, which keeps using them."),
    ),
    Declaration(
        model="cohorts.Announcement",
        category="staff",
        title=_("Messages you wrote to a cohort"),
        labels={
            "to": _("To"),
            "subject": _("Subject"),
            "message": _("Message"),
            "people": _("Sent to (people)"),
        },
        holds=_("The messages you wrote to a cohort's members, waitlist or applicants."),
        purpose=_(
            "To send them to the people of the cohort, and keep them on the cohort's page for "
            "those people."
        ),
        seen_by=_("The people they were written to, and the cohort's trainers."),
        person=("sent_by",),
        export=_announcements,
        erase=Erase.KEEP,
        kept_because=_(
            "The messages stay on the cohort's page for the people they were written to; they "
            'name you as "Former member".'
        ),
    ),
    Declaration(
        model="cohorts.InvitationSend",
        category="staff",
        title=_("Invitation emails you sent"),
        labels={"emails": _("Emails")},
        holds=_("How many invitation emails you sent, and when."),
        purpose=_("To keep to the daily number of invitations a trainer may send."),
        seen_by=_("Nobody reads them: they are counted."),
        retention=Retention(
            text=_("Two days (the daily allowance looks back 24 hours)."),
            task="cohorts.tasks.expire_invitations",
        ),
        person=("sent_by",),
        export=_sends,
        erase=Erase.KEEP,
        kept_because=_("Only a count stays, and it is deleted two days later."),
    ),
)


# Text that looks personal to the completeness test but is about courses and cohorts, not people.
not_personal("cohorts.ScreeningQuestion",
             "A cohort's questions to applicants (the answers are on Application).")  # fmt: skip
not_personal("cohorts.Skill.name", 'The name of a skill, e.g. "role-play: first contact".')
not_personal("cohorts.MessageTemplate",
             "A cohort's own wording of its decision messages, written by its trainers for "
             "everyone (the message each person received is on Application).")  # fmt: skip
not_personal(
    "cohorts.LiveSession.notes",
    "The trainers' notes about a session for its members, not about a person.",
)
