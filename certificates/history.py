"""A person's history on a track, for coordinators: one timeline, newest first, in words.

It gathers what counts toward the track — skills signed off (which skill, in which cohort, by
whom), live-session attendance in the track's cohorts, the track's agreements signed (which
version, in which language), exceptions granted and withdrawn (with their reason and by whom),
and what happened to the certification (requests decided, certificates issued, revoked,
expired…). Other people appear by their display name only. A fixed number of queries, whatever
the length of the history.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cohorts.models import Attendance, LiveSession, SkillSignOff
from training.i18n import active_language, titles_in_active_language
from training.privacy import language_name

from .models import (
    ACCOUNT_DELETED,
    AgreementSignature,
    CertificationEvent,
    RequirementException,
    Track,
)

# The newest this many of each kind of record (a long history stays a light page).
LIMIT = 200

SKILL = gettext_lazy("Skill")
ATTENDANCE = gettext_lazy("Live session")
AGREEMENT = gettext_lazy("Agreement")
EXCEPTION = gettext_lazy("Exception")
CERTIFICATION = gettext_lazy("Certification")

Event = CertificationEvent.Kind
# Events whose note is a code, not words someone wrote: said in words instead.
CODED_NOTES = {Event.POOL_REMOVED, Event.REMINDED}
# An exception's event and its row say the same thing: the row is shown when they match.
SAME_MOMENT = timedelta(minutes=1)


@dataclass
class Entry:
    at: datetime
    kind: str  # what it is about ("Skill", "Live session"…), in the reader's language
    what: str  # a sentence, in the reader's language
    by: str = ""  # who did it (a display name)
    note: str = ""  # a reason or a note written by a coordinator (private)


def _name(user) -> str:
    return str(user.display_name) if user is not None else _("someone no longer on the platform")


def track_requirements(track: Track) -> dict:
    """The track's requirements with their labels ready in the reader's language (2 queries)."""
    requirements = list(
        track.requirements.select_related("course", "skill", "agreement").prefetch_related(
            "agreement__texts"
        )
    )
    courses = [r for r in requirements if r.course_id]
    if courses:
        titles = titles_in_active_language([r.course for r in courses])
        language = active_language()
        for r in courses:
            r.__dict__.setdefault("_course_titles", {})[language] = titles.get(
                r.course.translation_key, r.course.title
            )
    return {r.pk: r for r in requirements}


def _sign_offs(user, track, requirements) -> list[Entry]:
    skills = [r.skill_id for r in requirements.values() if r.skill_id]
    rows = (
        SkillSignOff.objects.filter(user=user)
        .filter(
            Q(skill__track_skill__track=track)
            | Q(cohort__track_link__track=track)
            | Q(skill_id__in=skills)
        )
        .select_related("skill", "cohort", "signed_by")
        .order_by("-signed_at", "-pk")[:LIMIT]
    )
    entries = []
    for s in rows:
        # Who signed it off goes in the "By" column, like every other row's actor.
        if s.cohort is not None:
            what = _("“%(skill)s” signed off in %(cohort)s") % {
                "skill": s.skill.name, "cohort": s.cohort.title,
            }  # fmt: skip
        else:
            what = _("“%(skill)s” signed off, in a cohort since deleted") % {"skill": s.skill.name}
        note = ""
        if s.signed_by_id == user.pk:
            note = _("Signed off by themselves: it does not count.")
        entries.append(Entry(s.signed_at, str(SKILL), what, _name(s.signed_by), note))
    return entries


def _attendance(user, track) -> list[Entry]:
    rows = (
        Attendance.objects.filter(user=user, session__cohort__track_link__track=track)
        .filter(~Q(status="") | Q(caught_up_at__isnull=False))
        # Debrief / supervision sessions are no part of a certification (issue 22).
        .exclude(session__kind=LiveSession.Kind.DEBRIEF)
        .select_related("session__cohort", "marked_by")
        .order_by("-session__starts_at", "-pk")[:LIMIT]
    )
    entries = []
    for mark in rows:
        session = mark.session
        values = {"session": session.title, "cohort": session.cohort.title}
        note = _("The session was cancelled: it does not count.") if session.cancelled_at else ""
        if mark.status:
            what = _("“%(session)s” in %(cohort)s: %(status)s") % {
                **values, "status": mark.get_status_display(),
            }  # fmt: skip
            by = _name(mark.marked_by) if mark.marked_by_id else ""
            entries.append(Entry(session.starts_at, str(ATTENDANCE), what, by, note))
        if mark.caught_up_at:
            what = _("Caught up from the recording of “%(session)s” in %(cohort)s") % values
            # The person says so themselves.
            entries.append(Entry(mark.caught_up_at, str(ATTENDANCE), what, _name(user), note))
    return entries


def _signatures(user, requirements) -> list[Entry]:
    agreements = {r.agreement_id for r in requirements.values() if r.agreement_id}
    if not agreements:
        return []
    rows = (
        AgreementSignature.objects.filter(user=user, version__agreement_id__in=agreements)
        .select_related("version__agreement")
        .prefetch_related("version__agreement__texts")
        .order_by("-signed_at", "-pk")[:LIMIT]
    )
    entries = []
    for s in rows:
        what = _("Signed “%(agreement)s”, version %(version)s, in %(language)s") % {
            "agreement": s.version.agreement.local_title,
            "version": s.version.number,
            "language": language_name(s.language or settings.LANGUAGE_CODE),
        }
        entries.append(Entry(s.signed_at, str(AGREEMENT), what, _name(user)))  # they signed
    return entries


def _exceptions(user, track, requirements, events) -> list[Entry]:
    """Exceptions granted and withdrawn, from their rows (the requirement in the reader's
    language, the reason); the events telling the same are taken out of `events`."""
    rows = (
        RequirementException.objects.filter(user=user, requirement__track=track)
        .select_related("granted_by")
        .order_by("-granted_at", "-pk")[:LIMIT]
    )
    entries = []
    for exception in rows:
        requirement = requirements.get(exception.requirement_id)
        label = requirement.label if requirement else ""
        granted = next(
            (e for e in events if e.kind == Event.EXCEPTION
             and e.actor_id == exception.granted_by_id
             and abs(e.created_at - exception.granted_at) < SAME_MOMENT),
            None,
        )  # fmt: skip
        if granted is not None:
            events.remove(granted)
        if exception.certificate_id:
            what = _("Exception granted for “%(requirement)s” (used for a certificate)")
        else:
            what = _("Exception granted for “%(requirement)s”")
        entries.append(Entry(exception.granted_at, str(EXCEPTION), what % {"requirement": label},
                             _name(exception.granted_by), exception.reason))  # fmt: skip
        if exception.withdrawn_at:
            withdrawn = next((e for e in events if e.kind == Event.EXCEPTION_WITHDRAWN
                              and abs(e.created_at - exception.withdrawn_at) < SAME_MOMENT),
                             None)  # fmt: skip
            if withdrawn is not None:
                events.remove(withdrawn)
            entries.append(Entry(
                exception.withdrawn_at, str(EXCEPTION),
                _("Exception withdrawn for “%(requirement)s”") % {"requirement": label},
                _name(withdrawn.actor) if withdrawn and withdrawn.actor_id else "",
            ))  # fmt: skip
    return entries


def _event(event: CertificationEvent) -> Entry:
    what = str(event.get_kind_display())
    note = "" if event.kind in CODED_NOTES else event.note
    until = event.certificate.expires_on if event.certificate_id else None
    if event.kind == Event.ISSUED and until:
        what = _("Certificate issued, valid until %(date)s") % {
            "date": formats.date_format(until, "DATE_FORMAT")
        }
    elif event.kind == Event.RENEWED and until:
        what = _("Certificate renewed, valid until %(date)s") % {
            "date": formats.date_format(until, "DATE_FORMAT")
        }
    elif event.kind == Event.REVOKED and event.note == ACCOUNT_DELETED:
        what, note = _("Certificate withdrawn: the holder deleted their account"), ""
    elif event.kind == Event.POOL_REMOVED and event.note == "revoked":
        what = _("Removed from the responder pool: the certificate was revoked")
    elif event.kind == Event.POOL_REMOVED and event.note == "expired":
        what = _("Removed from the responder pool: the certificate expired")
    elif event.kind == Event.REMINDED and event.note.isdigit():
        what = _("Reminded of the renewal, %(days)s days before the certificate expires") % {
            "days": event.note
        }
    by = _name(event.actor) if event.actor_id else ""
    return Entry(event.created_at, str(CERTIFICATION), what, by, note)


def timeline(user, track: Track, *, requirements: dict | None = None) -> list[Entry]:
    """Everything about `user` on `track`, newest first. `requirements`: the track's, from
    `track_requirements` (when the caller has them already)."""
    if requirements is None:
        requirements = track_requirements(track)
    events = list(
        CertificationEvent.objects.filter(user=user, track=track)
        .select_related("actor", "certificate")
        .order_by("-created_at", "-pk")[:LIMIT]
    )
    entries = _exceptions(user, track, requirements, events)
    entries += [_event(e) for e in events]
    entries += _sign_offs(user, track, requirements)
    entries += _attendance(user, track)
    entries += _signatures(user, requirements)
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries
