"""The Audit log report in the Wagtail admin: administrators only, read-only (no add, edit or
delete anywhere), filtered by who, about whom, what and when; 50 entries a page, in a constant
number of queries whatever the size of the log."""

import re
import zoneinfo
from datetime import date, datetime, time, timedelta

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.defaults import permission_denied

from . import audit_display
from .audit import ACTIONS
from .models import AuditEntry, AuditSubject, User
from .roles import Role
from .widgets import DatePicker

PER_PAGE = 50


def is_administrator(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_role(Role.ADMINISTRATOR))


DATE_BOUNDS = [MinValueValidator(date(2000, 1, 1)), MaxValueValidator(date(2999, 12, 31))]


class AuditFilter(forms.Form):
    actor = forms.CharField(
        label=_("Who"), required=False, max_length=200,
        help_text=_("Part of a display name or email address, or #id."),
    )  # fmt: skip
    subject = forms.CharField(
        label=_("About whom"), required=False, max_length=200,
        help_text=_("Part of a display name or email address, or #id."),
    )  # fmt: skip
    action = forms.ChoiceField(label=_("What"), required=False)
    # Bounded, so that the day after the end date always exists (9999-12-31 + 1 day overflows).
    date_from = forms.DateField(label=_("From (date)"), required=False,
                                validators=DATE_BOUNDS,
                                widget=DatePicker())  # fmt: skip
    date_to = forms.DateField(label=_("To (date)"), required=False, validators=DATE_BOUNDS,
                              widget=DatePicker())  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("Any action")), *ACTIONS.items()]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


def people_named(field: str, text: str, *, by_email: bool = True) -> Q:
    """`field` (a person's id) is one of the people a search names: a display name (or, with
    `by_email`, an email address) containing the text, or "#id" (which also finds a former
    member with no row left). Without `by_email` a search cannot tell whether an address the
    searcher was not shown belongs to someone. A subquery, not a list: the search costs no
    query of its own."""
    text = text.strip()
    names = Q(display_name__icontains=text)
    people = User.objects.filter(names | Q(email__icontains=text) if by_email else names)
    found = Q(**{f"{field}__in": people.values("pk")})
    if match := re.fullmatch(r"#?(\d{1,18})", text):
        found |= Q(**{field: int(match.group(1))})
    return found


def local_midnight(day):
    """The start of `day` in the current (the viewer's) time zone."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def filtered(data: dict):
    entries = AuditEntry.objects.all()
    if data.get("actor"):
        entries = entries.filter(people_named("actor_id", data["actor"]))
    if data.get("subject"):
        # The one person an entry is about, or one of the many (who was in an export).
        many = AuditSubject.objects.filter(people_named("person_id", data["subject"]),
                                           entry=OuterRef("pk"))  # fmt: skip
        entries = entries.filter(people_named("subject_id", data["subject"]) | Q(Exists(many)))
    if data.get("action"):
        entries = entries.filter(action=data["action"])
    # Dates are days in the viewer's time zone.
    if data.get("date_from"):
        entries = entries.filter(at__gte=local_midnight(data["date_from"]))
    if data.get("date_to"):
        entries = entries.filter(at__lt=local_midnight(data["date_to"] + timedelta(days=1)))
    return entries


def _viewer_zone(user):
    """The person's own time zone (the platform's profile): Wagtail's admin would otherwise use
    its own profile setting, or the server's."""
    try:
        return zoneinfo.ZoneInfo(user.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_current_timezone()


@require_GET  # read-only: nothing here adds, changes or removes an entry
@never_cache
def audit_log_report(request):
    # A plain 403 (Wagtail turns a raised PermissionDenied into a redirect to the dashboard).
    if not is_administrator(request.user):
        return permission_denied(request, PermissionDenied())
    with timezone.override(_viewer_zone(request.user)):  # the dates filtered and shown
        return _report(request)


def _report(request):
    form = AuditFilter(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    # A filter in error shows nothing, not everything.
    entries = AuditEntry.objects.none() if form.is_bound and not form.is_valid() else filtered(data)
    sent = (
        AuditSubject.objects.filter(entry=OuterRef("pk"))
        .order_by()
        .values("entry")
        .annotate(n=Count("pk"))
        .values("n")
    )
    entries = (
        entries.select_related("actor", "subject")
        .annotate(sent=Subquery(sent, output_field=IntegerField()))
        .order_by("-at", "-pk")
    )
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    # Cohorts and tracks by name: one query per kind of thing, whatever the page holds.
    names = audit_display.names_for(entry.detail for entry in page)
    for entry in page:
        # Records copied from before the audit log know how many people, not who.
        entry.people = entry.count if entry.detail.get("imported_from") else (entry.sent or 0)
        entry.detail_items = audit_display.detail_items(entry.detail, names)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "training/admin/audit_log.html", {
        "form": form, "page": page, "query": query.urlencode(),
        "header_title": _("Audit log"),
    })  # fmt: skip
