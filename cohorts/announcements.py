"""A trainer's words to people of a cohort: announcements and answers to shared reflections.

An announcement is written once, in the language the trainer chose, kept on the cohort's page
and sent to its audience (members, waitlist or applicants) through the notification path
(cohorts.notify.send: once per person, in batches) by a task queued when it is saved; the
email's frame (greeting, footer) is in each recipient's language. A reflection reply is a short
private answer to a reflection a member shared in this cohort: only that member reads it.
"""

from contextlib import contextmanager
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from courses import services as course_services
from courses.models import Reflection
from training import audit
from training.models import User

from . import notify
from .models import Announcement, Application, Cohort, Membership
from .services import CohortError, trains

MAX_BODY_LENGTH = 10_000
# The same message to the same people again within this time is a double click, not a choice.
REPEAT_WINDOW = timedelta(minutes=10)
Audience = Announcement.Audience


# --- Who ----------------------------------------------------------------------------------------
def audience_people(cohort: Cohort, audience: str, *, as_of=None) -> QuerySet:
    """The people an announcement to `audience` reaches now: current members; or people whose
    application waits on the waitlist / for a decision (never a member: a promoted person is no
    longer on the waitlist). With `as_of`: only those already there at that moment."""
    current = Membership.objects.filter(cohort=cohort, left_at__isnull=True)
    if audience == Audience.MEMBERS:
        joined = current if as_of is None else current.filter(joined_at__lte=as_of)
        people = User.objects.filter(pk__in=joined.values("user_id"))
    else:
        status = (Application.Status.WAITLISTED if audience == Audience.WAITLIST
                  else Application.Status.SUBMITTED)  # fmt: skip
        waiting = Application.objects.filter(cohort=cohort, status=status)
        if as_of is not None:
            waiting = waiting.filter(submitted_at__lte=as_of)
        people = User.objects.filter(pk__in=waiting.values("user_id")).exclude(
            pk__in=current.values("user_id")
        )
    # A cohort's trainers are never among its members; administrators who train are excluded too.
    return (
        people.filter(is_active=True, anonymised_at__isnull=True)
        .exclude(pk__in=cohort.trainers.values("pk"))
        .order_by("pk")
    )


def audience_counts(cohort: Cohort) -> dict[str, int]:
    """How many people each audience reaches now (one query each)."""
    return {value: audience_people(cohort, value).count() for value in Audience.values}


def announcements_for(cohort: Cohort, *, membership=None, application=None) -> list:
    """What a person sees on the cohort's page: a member, the announcements to members; someone
    waiting, the ones to their audience since they applied. Newest first, at most ten."""
    if membership is not None:
        query = Q(audience=Audience.MEMBERS)
    elif application is not None and application.status in (
        Application.Status.WAITLISTED,
        Application.Status.SUBMITTED,
    ):
        audience = (Audience.WAITLIST if application.status == Application.Status.WAITLISTED
                    else Audience.APPLICANTS)  # fmt: skip
        query = Q(audience=audience, created_at__gte=application.submitted_at)
    else:
        return []
    return list(cohort.announcements.filter(query).select_related("sent_by")[:10])


def latest_for_members(cohort_ids, *, days: int = 14) -> dict[int, Announcement]:
    """Each cohort's newest announcement to members of the last `days` (one query), for the
    dashboard."""
    since = timezone.now() - timedelta(days=days)
    latest: dict[int, Announcement] = {}
    rows = (
        Announcement.objects.filter(
            cohort__in=list(cohort_ids), audience=Audience.MEMBERS, created_at__gte=since
        )
        .order_by("cohort_id", "-created_at", "-pk")
        .distinct("cohort_id")
    )
    for announcement in rows:
        latest[announcement.cohort_id] = announcement
    return latest


# --- Announcements ------------------------------------------------------------------------------
@transaction.atomic
def announcement_send(*, cohort: Cohort, by, audience: str, subject: str, body: str,
                      language: str) -> Announcement:  # fmt: skip
    """Keep the announcement and send it (in the background, once the save commits)."""
    if not trains(cohort, by):
        raise CohortError(_("Only the cohort's trainers can write to its people."))
    # An email subject is one line.
    subject = " ".join(subject.split())
    body = body.strip()
    if len(body) > MAX_BODY_LENGTH:
        raise CohortError(_("A message can be at most %(count)s characters.")
                          % {"count": MAX_BODY_LENGTH})  # fmt: skip
    announcement = Announcement(cohort=cohort, sent_by=by, audience=audience, subject=subject,
                                body=body, language=language)  # fmt: skip
    try:
        announcement.full_clean()
    except ValidationError as error:
        raise CohortError(" ".join(error.messages)) from error
    Cohort.objects.select_for_update().filter(pk=cohort.pk).first()  # one send at a time
    if cohort.announcements.filter(
        audience=audience, subject=subject, body=body,
        created_at__gte=timezone.now() - REPEAT_WINDOW,
    ).exists():  # fmt: skip
        raise CohortError(_("This message was sent a moment ago: it is not sent twice."))
    announcement.save()
    from .tasks import send_announcement

    pk = announcement.pk
    transaction.on_commit(lambda: send_announcement.delay(pk))
    return announcement


@contextmanager
def _alone(pk: int):
    """Whether this process holds the right to send announcement `pk` (a PostgreSQL session
    lock): two runs of the task at once (a redelivered task while the first still sends) would
    both read "not sent yet" for the same people. The other run leaves; this one sends all."""
    args = [_LOCK_NAMESPACE, pk % 2**31]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", args)
        got = cursor.fetchone()[0]
    try:
        yield got
    finally:
        if got:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", args)


_LOCK_NAMESPACE = 15_001  # advisory locks of announcements (any constant no other lock uses)


def announcement_deliver(announcement_id: int) -> int:
    """Send the announcement to each person of its audience who has not had it (the task; safe
    to run twice, even at once: each person's NotificationLog key is sent once). Returns how
    many were sent. Only people already in the audience when it was written, and still there."""
    with _alone(announcement_id) as alone:
        return _deliver(announcement_id) if alone else 0


def _deliver(announcement_id: int) -> int:
    announcement = Announcement.objects.select_related("cohort").filter(pk=announcement_id).first()
    if announcement is None:
        return 0
    cohort = announcement.cohort
    people = list(audience_people(cohort, announcement.audience, as_of=announcement.created_at))
    keyed = [(person, f"announcement:{announcement.pk}:{person.pk}") for person in people]
    context = {"announcement": announcement, "cohort": cohort,
               "subject_values": {"subject": announcement.subject}}  # fmt: skip
    sent = notify.send("announcement", keyed, lambda user: context)
    Announcement.objects.filter(pk=announcement.pk).update(
        recipients=F("recipients") + sent, sent_at=Coalesce(F("sent_at"), timezone.now())
    )
    return sent


# --- Reflection replies -------------------------------------------------------------------------
def shared_reflection(cohort: Cohort, *, user_id: int, pk: int) -> Reflection | None:
    """A reflection a current member of the cohort shared while a member, on one of its courses'
    modules (what the trainers see on the member's page), or None."""
    from .progress import cohort_modules

    membership = Membership.objects.filter(
        cohort=cohort, user_id=user_id, left_at__isnull=True
    ).first()
    if membership is None:
        return None
    return (
        Reflection.objects.filter(
            pk=pk, user_id=user_id, module__in=[m.pk for m in cohort_modules(cohort)],
            shared_with_trainers=True, submitted_at__gte=membership.joined_at,
        )
        .select_related("user", "module")
        .first()
    )  # fmt: skip


@transaction.atomic
def reflection_answer(*, cohort: Cohort, reflection: Reflection, by, text: str,
                      request=None) -> Reflection:  # fmt: skip
    """A trainer of the cohort answers (or, with no text, takes back the answer to) a reflection
    its member shared here. Audited; the member is told of a new answer (never its words)."""
    if (
        not trains(cohort, by)
        or shared_reflection(cohort, user_id=reflection.user_id, pk=reflection.pk) is None
    ):
        raise CohortError(_("You can answer only reflections your cohort's members shared."))
    if not text.strip() and not reflection.reply:
        return reflection  # nothing to take back
    try:
        reflection = course_services.reflection_reply(reflection=reflection, by=by, text=text)
    except course_services.LearningError as error:
        raise CohortError(str(error)) from error
    audit.record(
        action="reflection.replied" if reflection.reply else "reflection.reply_removed",
        actor=by, subject=reflection.user_id, request=request,
        detail={"cohort": cohort.pk, "reflection": reflection.pk},
    )  # fmt: skip
    if reflection.reply:
        from .tasks import notify_reflection_reply

        pk, day = reflection.pk, reflection.replied_at.strftime("%Y-%m-%d")
        transaction.on_commit(lambda: notify_reflection_reply.delay(pk, day))
    return reflection


def reflection_reply_notify(reflection_id: int, day: str) -> int:
    """Tell the member a trainer answered their reflection: once a day per reflection at most
    (a corrected answer the same day is not news)."""
    reflection = (
        Reflection.objects.select_related("user", "module", "replied_by")
        .filter(pk=reflection_id)
        .first()
    )
    if reflection is None or not reflection.reply:
        return 0  # taken back before the message left
    key = f"reflection_reply:{reflection.pk}:{day}"
    context = {"reflection": reflection, "module": reflection.module}
    return notify.send("reflection_reply", [(reflection.user, key)], lambda user: context)
