"""Bulk enrolment from a CSV (email, display name): a preview of what each row will do, then a
report of what each row did. Every address gets an invitation by email, which the person accepts
or declines (cohorts.invitations): nobody is put into a cohort, and no account is made, without
their agreement. Memberships made by the earlier direct enrolment stay as they are.

The preview and the report never say whether an address has an account: each such row reads
"Will be invited by email", then "Invitation sent". The one exception is someone already
connected to this cohort, whom the trainer sees on its page anyway: a member, someone on its
waitlist (with their place) or with an application waiting for a decision. Their row says so and
nothing is sent to them (an invitation would only say what they already have).
"""

import csv
import io
from dataclasses import asdict, dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from training.errors import ServiceError

from . import selectors
from .invitations import invitations_create, places_state
from .models import Application, Cohort, CohortInvitation, Membership

MAX_ROWS = 2000
MAX_BYTES = 1024 * 1024


class CsvError(ServiceError):
    """The file as a whole cannot be read; the message says why, translated."""

    code = "csv"


@dataclass
class Row:
    line: int
    email: str
    display_name: str
    outcome: str  # what will happen / what happened (a code)
    valid: bool
    place: int | None = None  # "waiting": their place on the waitlist

    def label(self) -> str:
        return outcome_label(self.outcome, self.place)

    def as_dict(self) -> dict:
        return asdict(self)


# Whether an address has an account is never told: either way it is invited. Only someone
# already connected to the cohort (the trainer sees them on its page) is named as such.
OUTCOMES = {
    "invite": lambda: _("Will be invited by email"),
    "bad_email": lambda: _("Not an email address: skipped"),
    "duplicate": lambda: _("The same email appears earlier in the file: skipped"),
    "pending": lambda: _("Already invited, waiting for an answer: skipped"),
    "declined_before": lambda: _("Declined an earlier invitation to this cohort: skipped"),
    "invited": lambda: _("Invitation sent"),
    # The cohort is full (or people wait for a place): accepting means the waitlist.
    "invite_waitlist": lambda: _(
        "Will be invited by email. The cohort is full: if they accept, they join its waitlist"
    ),
    "invited_waitlist": lambda: _(
        "Invitation sent. The cohort is full: if they accept, they join its waitlist"
    ),
    "member": lambda: _("Already a member — nothing sent"),
    "applied": lambda: _("Already applied, waiting for your decision — nothing sent"),
}
WAITING_LABEL = _("Already waiting (place %(place)s) — nothing sent")
INVITED = ("invited", "invited_waitlist")
MAX_EMAIL_LENGTH = CohortInvitation._meta.get_field("email").max_length


def outcome_label(code: str, place: int | None = None) -> str:
    if code == "waiting":
        return WAITING_LABEL % {"place": place or "?"}
    # A preview stored before an upgrade may carry a code of the earlier enrolment.
    return OUTCOMES.get(code, lambda: _("Skipped"))()


def connected(cohort: Cohort, emails) -> dict[str, tuple[str, int | None]]:
    """Who among `emails` (lower case) is already in this cohort, as its trainers see on its
    page: (code, place) by email: "member", "waiting" (place on the waitlist) or "applied".
    Nothing about anyone else. Three queries whatever their number."""
    emails = set(emails)
    if not emails:
        return {}
    found = {}
    members = (
        Membership.objects.filter(cohort=cohort, left_at__isnull=True)
        .annotate(address=Lower("user__email")).filter(address__in=emails)
        .values_list("address", flat=True)
    )  # fmt: skip
    for email in members:
        found[email] = ("member", None)
    queue = (
        Application.objects.filter(cohort=cohort, status=Application.Status.WAITLISTED)
        .order_by("waitlisted_at", "pk").annotate(address=Lower("user__email"))
        .values_list("address", flat=True)
    )  # fmt: skip
    for place, email in enumerate(queue, start=1):
        if email in emails:
            found.setdefault(email, ("waiting", place))
    applied = (
        Application.objects.filter(cohort=cohort, status=Application.Status.SUBMITTED)
        .annotate(address=Lower("user__email")).filter(address__in=emails)
        .values_list("address", flat=True)
    )  # fmt: skip
    for email in applied:
        found.setdefault(email, ("applied", None))
    return found


def read(upload_bytes: bytes) -> list[tuple[int, str, str]]:
    if len(upload_bytes) > MAX_BYTES:
        raise CsvError(_("The file is larger than 1 MB."))
    try:
        text = upload_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CsvError(_("Save the file as UTF-8 CSV and try again.")) from error
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = []
    for line, record in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
        if not record or not any(cell.strip() for cell in record):
            continue
        email = record[0].strip().lower()
        name = record[1].strip() if len(record) > 1 else ""
        if line == 1 and "@" not in email:
            continue  # a header row
        rows.append((line, email, name[:100]))
        if len(rows) > MAX_ROWS:
            raise CsvError(_("At most %(count)s people at a time.") % {"count": MAX_ROWS})
    if not rows:
        raise CsvError(_("The file has no rows with an email address."))
    return rows


def _is_address(email: str) -> bool:
    try:
        validate_email(email)
    except ValidationError:
        return False
    return len(email) <= MAX_EMAIL_LENGTH


def places_summary(cohort: Cohort, invitations: int) -> str:
    """One sentence on what accepting will give, when places do not cover everyone invited
    (empty otherwise): the preview and the report say the same."""
    state = places_state(cohort)
    left = selectors.places_left(cohort)
    if state == "full":
        return _("The cohort is full: whoever accepts joins its waitlist, in the order they "
                 "accept, and is told when a place opens.")  # fmt: skip
    if state == "limited" and invitations > left:
        return ngettext(
            "%(left)s place left for %(count)s invitations: the first person to accept gets "
            "it, the others join the waitlist.",
            "%(left)s places left for %(count)s invitations: the first %(left)s people to "
            "accept get a place, the others join the waitlist.",
            left,
        ) % {"left": left, "count": invitations}
    return ""


def preview(cohort: Cohort, records) -> list[Row]:
    """What each row will do. Reads only the cohort's own invitations: nothing about accounts."""
    invite = "invite_waitlist" if places_state(cohort) == "full" else "invite"
    answered = {}
    for email, status in CohortInvitation.objects.filter(
        Q(status=CohortInvitation.Status.DECLINED)
        | Q(status=CohortInvitation.Status.PENDING, expires_at__gt=timezone.now()),
        cohort=cohort,
    ).values_list("email", "status"):
        if answered.get(email) != CohortInvitation.Status.PENDING:
            answered[email] = status
    already = connected(cohort, [email.strip().lower() for _line, email, _name in records])
    seen, result = set(), []
    for line, email, name in records:
        key = email.strip().lower()
        if not _is_address(key):
            result.append(Row(line, email, name, "bad_email", False))
            continue
        if key in seen:
            result.append(Row(line, key, name, "duplicate", False))
            continue
        seen.add(key)
        status = answered.get(key)
        if key in already:
            code, place = already[key]
            result.append(Row(line, key, name, code, False, place))
        elif status == CohortInvitation.Status.PENDING:
            result.append(Row(line, key, name, "pending", False))
        elif status == CohortInvitation.Status.DECLINED:
            result.append(Row(line, key, name, "declined_before", False))
        else:
            result.append(Row(line, key, name, invite, True))
    return result


def apply(cohort: Cohort, rows: list[Row], *, by) -> list[Row]:
    """Do what the preview said: one invitation per valid row, each emailed once the upload is
    saved. A row invited meanwhile (another tab, another trainer) says so."""
    for row in rows:  # a preview is kept in the session: check again what it says
        if row.valid and not _is_address(row.email):
            row.outcome, row.valid = "bad_email", False
    # Joined, applied or started waiting since the preview: nothing is sent to them either.
    already = connected(cohort, [row.email for row in rows if row.valid])
    for row in rows:
        if row.valid and row.email in already:
            row.outcome, row.place = already[row.email]
            row.valid = False
    wanted = [row for row in rows if row.valid]
    created = invitations_create(
        cohort=cohort, people=[(row.email, row.display_name) for row in wanted], by=by
    )
    invited = "invited_waitlist" if places_state(cohort) == "full" else "invited"
    for row in wanted:
        row.outcome = invited if row.email in created else "pending"
    return rows
