"""Bulk enrolment from a CSV (email, display name): a preview of what each row will do, then a
report of what each row did. People without an account get one and an invitation by email."""

import csv
import io
from dataclasses import asdict, dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from training.models import User

from . import services
from .models import Application, Cohort, Membership

MAX_ROWS = 2000
MAX_BYTES = 1024 * 1024


class CsvError(Exception):
    """The file as a whole cannot be read; the message says why, translated."""


@dataclass
class Row:
    line: int
    email: str
    display_name: str
    outcome: str  # what will happen / what happened (a code)
    valid: bool

    def as_dict(self) -> dict:
        return asdict(self)


# The preview never says whether an address has an account (nobody may learn that from us):
# either way the person is enrolled and told by email.
OUTCOMES = {
    "enrol": lambda: _("Will be enrolled, and told by email"),
    "member": lambda: _("Already a member: nothing to do"),
    "bad_email": lambda: _("Not an email address: skipped"),
    "duplicate": lambda: _("The same email appears earlier in the file: skipped"),
    "enrolled": lambda: _("Enrolled"),
    "invited": lambda: _("Account made, invitation sent, enrolled"),
    "waitlisted": lambda: _("The cohort is full: on the waitlist"),
    "declined": lambda: _("Was declined for this cohort: skipped"),
}


def outcome_label(code: str) -> str:
    return OUTCOMES[code]()


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


def preview(cohort: Cohort, records) -> list[Row]:
    members = set(
        Membership.objects.filter(cohort=cohort, left_at__isnull=True).values_list(
            "user__email", flat=True
        )
    )
    members = {email.lower() for email in members}
    seen, result = set(), []
    for line, email, name in records:
        key = email.lower()
        try:
            validate_email(email)
        except ValidationError:
            result.append(Row(line, email, name, "bad_email", False))
            continue
        if key in seen:
            result.append(Row(line, email, name, "duplicate", False))
            continue
        seen.add(key)
        if key in members:
            result.append(Row(line, email, name, "member", False))
        else:
            result.append(Row(line, email, name, "enrol", True))
    return result


def apply(cohort: Cohort, rows: list[Row], *, by) -> list[Row]:
    """Do what the preview said, row by row; each row's outcome says what happened."""
    from allauth.account.models import EmailAddress

    from .tasks import send_added, send_invitations

    invited, added = [], []
    for row in rows:
        if not row.valid:
            continue
        with transaction.atomic():
            user = User.objects.filter(email__iexact=row.email).first()
            if user is None:
                # The person can change the name; a placeholder never shows their address.
                user = User(email=row.email, display_name=row.display_name or _("New member"),
                            preferred_language=cohort.working_language)  # fmt: skip
                user.set_unusable_password()
                user.save()
                # The trainer vouches for the address; the person proves it by using the link
                # the invitation sends there, which is the only way to set a password.
                EmailAddress.objects.create(user=user, email=row.email, primary=True,
                                            verified=True)  # fmt: skip
                invited.append(user.pk)
                created = True
            else:
                created = False
            try:
                result = services._join(services._locked(cohort), user, Membership.Source.CSV)
            except services.CohortError:
                row.outcome = "declined"
                continue
        if isinstance(result, Application):
            row.outcome = "waitlisted"
        else:
            row.outcome = "invited" if created else "enrolled"
        if not created:
            added.append(user.pk)
    if invited:
        transaction.on_commit(lambda: send_invitations.delay(cohort.pk, invited, by.pk))
    if added:
        # People who already had an account are told, with the way to leave if unwanted.
        transaction.on_commit(lambda: send_added.delay(cohort.pk, added, by.pk))
    return rows
