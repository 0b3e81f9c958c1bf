"""A trainer's words to people of a cohort: announcements and answers to shared reflections.

An announcement is written once, in the language the trainer chose, kept on the cohort's page
and sent to its audience (members, waitlist or applicants) through the notification path
(cohorts.notify.send: once per person, in batches) by a task queued when it is saved; the
email's frame (greeting, footer) is in each recipient's language. A reflection reply is a short
private answer to a reflection a member shared in this cohort: only that member reads it.
"""

import logging
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from courses import services as course_services
from courses.models import Reflection
from training import audit, outbox
from training.models import User

from . import notify
from .models import Announcement, Application, Cohort, Membership
from .progress import cohort_modules
from .services import CohortError, trains
from .tasks import notify_reflection_reply, send_announcement

logger = logging.getLogger(__name__)
MAX_BODY_LENGTH = 10_000
# The same message to the same people again within this time is a double click, not a choice.
REPEAT_WINDOW = timedelta(minutes=10)
Audience = Announcement.Audience


def audience_label(value) -> str:
    """An announcement's audience in words, for the audit log report."""
    return str(dict(Announcement.Audience.choices).get(value, value))


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
    recent = Announcement.objects.filter(audience=Audience.MEMBERS, created_at__gte=since)
    # The newest of its cohort, by a subquery (portable: SQLite has no DISTINCT ON).
    newest = recent.filter(cohort_id=OuterRef("cohort_id")).order_by("-created_at", "-pk")
    rows = recent.filter(cohort__in=list(cohort_ids), pk=Subquery(newest.values("pk")[:1]))
    return {announcement.cohort_id: announcement for announcement in rows}


# --- Announcements ------------------------------------------------------------------------------
@transaction.atomic
def announcement_send(*, cohort: Cohort, by, audience: str, subject: str, body: str,
                      language: str, request=None) -> Announcement:  # fmt: skip
    """Keep the announcement and send it (in the background, once the save commits). In the
    audit log: who wrote to which audience of which cohort, and to how many people."""
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
    audit.record(
        action="cohort.announcement_sent", actor=by, request=request,
        count=audience_people(cohort, audience).count(),
        detail={"cohort": cohort.pk, "cohort_title": cohort.title, "audience": audience,
                "announcement": announcement.pk},
    )  # fmt: skip
    outbox.queue(send_announcement, announcement.pk)
    return announcement


def _claimed(pk: int) -> bool:
    """Hold announcement `pk`'s row until this transaction ends, unless another run holds it
    (then False at once: SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite has no row
    locks and lets one writer at a time, which serves the same end)."""
    held = Announcement.objects.select_for_update(skip_locked=True).filter(pk=pk)
    return bool(list(held.values_list("pk", flat=True)))


def announcement_deliver(announcement_id: int) -> int:
    """Send the announcement to each person of its audience who has not had it (the task; safe
    to run twice, even at once: each person's NotificationLog key is sent once). Returns how
    many were sent. Only people already in the audience when it was written, and still there.

    Batch by batch, each in a transaction holding the announcement's row: "not sent yet" is
    read and acted on by one run at a time, so a redelivered task running while the first
    still sends cannot send anybody twice; a run that finds the row held leaves the sending to
    the other. A batch that fails rolls back (its people are tried again by the retry, or by
    `announcements_unsent`); the ones before it stay sent and counted."""
    announcement = Announcement.objects.select_related("cohort").filter(pk=announcement_id).first()
    if announcement is None:
        return 0
    cohort = announcement.cohort
    people = list(audience_people(cohort, announcement.audience, as_of=announcement.created_at))
    keyed = [(person, f"announcement:{announcement.pk}:{person.pk}") for person in people]
    # The trainer's subject heads the message in the body, never the email's subject line.
    context = {"announcement": announcement, "cohort": cohort}
    rows = Announcement.objects.filter(pk=announcement.pk)
    sent = 0
    for start in range(0, len(keyed), notify.BATCH):
        with transaction.atomic():
            if not _claimed(announcement.pk):
                return sent  # another run is sending it
            batch = notify.send("announcement", keyed[start : start + notify.BATCH],
                                lambda user: context)  # fmt: skip
            if batch:
                rows.update(recipients=F("recipients") + batch)
            sent += batch
    with transaction.atomic():
        if _claimed(announcement.pk):
            rows.update(sent_at=Coalesce(F("sent_at"), timezone.now()))
    return sent


def announcements_unsent() -> int:
    """Send again what a run left unfinished (its retries spent, or its task lost): each
    announcement not marked sent, from a few minutes after it was written until
    Announcement.GIVE_UP_AFTER (the trainer's page says then that sending failed). Returns how
    many people were sent it."""
    now = timezone.now()
    pending = Announcement.objects.filter(
        sent_at__isnull=True, created_at__lt=now - Announcement.STALLED_AFTER,
        created_at__gte=now - Announcement.GIVE_UP_AFTER,
    ).values_list("pk", flat=True)  # fmt: skip
    sent = 0
    for pk in list(pending):
        try:
            sent += announcement_deliver(pk)
        except (DatabaseError, OSError):  # this one fails again: the others still go
            logger.exception("Announcement %s could not be sent", pk)
    return sent


# --- Reflection replies -------------------------------------------------------------------------
def shared_reflection(cohort: Cohort, *, user_id: int, pk: int) -> Reflection | None:
    """A reflection a current member of the cohort shared while a member, on one of its courses'
    modules (what the trainers see on the member's page), or None."""
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
        day = reflection.replied_at.strftime("%Y-%m-%d")
        outbox.queue(notify_reflection_reply, reflection.pk, day)
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
