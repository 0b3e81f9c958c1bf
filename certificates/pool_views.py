"""The responder pool for coordinators: search, exports, the access record, API tokens."""

from datetime import date, timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from training import audit
from training.audit_views import local_midnight, people_named
from training.models import AuditEntry, AuditSubject, User
from training.permissions import role_required
from training.roles import Role
from training.widgets import DatePicker

from . import api, exports, pool
from .forms import TokenForm
from .models import ApiToken, PoolExport, PoolMember


def _filter_form(request) -> pool.PoolFilter:
    data = request.GET if any(key in request.GET for key in pool.PoolFilter.base_fields) else None
    return pool.PoolFilter(data)


@role_required(Role.COORDINATOR)
def pool_list(request):
    form = _filter_form(request)
    invalid = form.is_bound and not form.is_valid()
    if invalid:
        # A filter in error never shows everyone, nor a count or exports of nobody: the page
        # says what to correct.
        queryset = PoolMember.objects.none()
    else:
        queryset = pool.members(form.cleaned_data if form.is_bound else {})
    queryset = queryset.select_related("user")
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    rows = [(member, record, pool.languages_text(record["languages"]))
            for member in page for record in [pool.record(_as_values(member))]]  # fmt: skip
    # The page shows contact details like an export does: each page opened is recorded too,
    # with the people it showed (two inserts, whatever the number of rows).
    audit.record_many(
        action="pool.viewed", people=[member.user_id for member, *_rest in rows],
        request=request, detail={"filters": {**form.used(), "page": page.number}},
    )  # fmt: skip
    return render(request, "certificates/pool/list.html", {
        "form": form, "page": page, "query": query.urlencode(), "rows": rows, "invalid": invalid,
        "focus_names": dict(pool.PoolMember.FOCUS_AREAS),
        "channel_names": dict(pool.PoolMember.CHANNELS),
    })  # fmt: skip


def _as_values(member) -> dict:
    """A member loaded as a model, in the shape pool.record() reads."""
    values = {name: getattr(member, name) for name in pool.FIELDS if "__" not in name}
    values["user__display_name"] = member.user.display_name
    values["user__email"] = member.user.email
    values["certified_until"] = member.certified_until
    return values


def _export_filters(request):
    form = pool.PoolFilter(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the filters before exporting."))
        return None, None
    return form.cleaned_data, form.used()


# Exports are POSTs (with the CSRF token): a link on another site cannot make a coordinator's
# browser export the pool, and every export is a deliberate act that leaves a record.
def _streamed(build):
    @role_required(Role.COORDINATOR)
    @require_POST
    @never_cache
    def view(request):
        filters, used = _export_filters(request)
        if filters is None:
            return redirect("certificates:pool_list")
        return build(user=request.user, filters=filters, used=used, request=request)

    return view


export_csv = _streamed(exports.csv_response)
export_json = _streamed(exports.json_response)


@role_required(Role.COORDINATOR)
@require_POST
def export_xlsx(request):
    form = pool.PoolFilter(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the filters before exporting."))
        return redirect("certificates:pool_list")
    export = exports.xlsx_start(user=request.user, filters=form.cleaned_data, used=form.used(),
                                request=request)  # fmt: skip
    return redirect("certificates:export", export_id=export.pk)


def _own_export(request, export_id) -> PoolExport:
    return get_object_or_404(PoolExport, pk=export_id, requested_by=request.user)


@role_required(Role.COORDINATOR)
@never_cache
def export_status(request, export_id):
    export = _own_export(request, export_id)
    expired = export.expires_at < timezone.now()
    return render(request, "certificates/pool/export.html", {
        "export": export, "expired": expired,
        "refresh": export.status in (PoolExport.Status.PENDING, PoolExport.Status.RUNNING),
    })  # fmt: skip


@role_required(Role.COORDINATOR)
def export_download(request, export_id):
    export = _own_export(request, export_id)
    if (
        export.status != PoolExport.Status.READY
        or not export.file
        or (export.expires_at < timezone.now())
    ):
        raise Http404
    name = f"responder-pool-{export.created_at:%Y-%m-%d}.xlsx"
    response = FileResponse(export.file.open("rb"), as_attachment=True, filename=name)
    response["Cache-Control"] = "private, no-store"
    return response


LOG_PER_PAGE = 100
DATE_BOUNDS = [MinValueValidator(date(2000, 1, 1)), MaxValueValidator(date(2999, 12, 31))]


class LogFilter(forms.Form):
    """The access record's filters: what, who did it, who was included, and between which days
    (days in the viewer's time zone)."""

    action = forms.ChoiceField(label=gettext_lazy("What"), required=False)
    actor = forms.CharField(
        label=gettext_lazy("Who"), required=False, max_length=200,
        help_text=gettext_lazy("Part of a display name, or #id."),
    )  # fmt: skip
    person = forms.CharField(
        label=gettext_lazy("Who was included"), required=False, max_length=200,
        help_text=gettext_lazy("Part of a display name, or #id."),
    )  # fmt: skip
    date_from = forms.DateField(label=gettext_lazy("From (date)"), required=False,
                                validators=DATE_BOUNDS,
                                widget=DatePicker())  # fmt: skip
    date_to = forms.DateField(label=gettext_lazy("To (date)"), required=False,
                              validators=DATE_BOUNDS,
                              widget=DatePicker())  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [
            ("", gettext_lazy("Any")),
            *((action, audit.ACTIONS[action]) for action in exports.ACCESS_ACTIONS),
        ]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", gettext_lazy("The end date is before the start date."))
        return data


def _log_entries(data: dict):
    entries = AuditEntry.objects.filter(action__in=exports.ACCESS_ACTIONS)
    if data.get("action"):
        entries = entries.filter(action=data["action"])
    if data.get("actor"):
        entries = entries.filter(people_named("actor_id", data["actor"], by_email=False))
    if data.get("person"):
        named = people_named("person_id", data["person"], by_email=False)
        included = AuditSubject.objects.filter(named, entry=OuterRef("pk"))
        entries = entries.filter(Exists(included))
    if data.get("date_from"):
        entries = entries.filter(at__gte=local_midnight(data["date_from"]))
    if data.get("date_to"):
        entries = entries.filter(at__lt=local_midnight(data["date_to"] + timedelta(days=1)))
    return entries


@role_required(Role.COORDINATOR)
def access_log(request):
    """The pool's part of the audit log: pages opened, exports, API calls, filtered; each entry
    links to the people it included. A constant number of queries whatever the log holds."""
    form = LogFilter(request.GET if any(key in request.GET for key in LogFilter.base_fields)
                     else None)  # fmt: skip
    invalid = form.is_bound and not form.is_valid()
    if invalid:
        # A filter in error shows nothing, not everything, and says so (no count, no "nothing
        # matches": the fields say what to correct).
        messages.error(request, _("Check the filters: the record is not shown until they are "
                                  "corrected."))  # fmt: skip
        entries = AuditEntry.objects.none()
    else:
        entries = _log_entries(form.cleaned_data if form.is_bound else {})
    sent = (
        AuditSubject.objects.filter(entry=OuterRef("pk"))
        .order_by()
        .values("entry")
        .annotate(n=Count("pk"))
        .values("n")
    )
    entries = (
        entries.select_related("actor")
        .annotate(sent=Subquery(sent, output_field=IntegerField()))
        .order_by("-at", "-pk")
    )
    page = Paginator(entries, LOG_PER_PAGE).get_page(request.GET.get("page"))
    for entry in page:
        # Records copied from before the audit log know how many, not who.
        entry.people = entry.count if entry.detail.get("imported_from") else (entry.sent or 0)
        entry.filters = pool.filter_items(entry.detail.get("filters") or {})
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "certificates/pool/log.html", {
        "form": form, "page": page, "query": query.urlencode(), "invalid": invalid,
        "keep_days": settings.ACOMPANA_AUDIT_LOG_DAYS,
    })  # fmt: skip


@role_required(Role.COORDINATOR)
def access_log_entry(request, entry_id):
    """Who one page, export or API call of the pool included: each person by display name and
    the reference the exports carry (never an email address), 100 a page, in a constant number
    of queries."""
    entry = get_object_or_404(
        AuditEntry.objects.select_related("actor"), pk=entry_id,
        action__in=exports.ACCESS_ACTIONS,
    )  # fmt: skip
    subjects = (
        AuditSubject.objects.filter(entry=entry).order_by("pk").values_list("person_id", flat=True)
    )
    page = Paginator(subjects, LOG_PER_PAGE).get_page(request.GET.get("page"))
    ids = list(page)
    found = User.objects.only("pk", "display_name", "anonymised_at").in_bulk(ids)
    people = [(person_id, found.get(person_id), pool.reference(person_id)) for person_id in ids]
    entry.filters = pool.filter_items(entry.detail.get("filters") or {})
    # The names on this page are looked at too: recorded like a page of the pool, with the people
    # it showed (two inserts, whatever the number of rows), so the record of who looked at whom
    # is complete.
    audit.record_many(
        action="pool.log_entry_viewed", people=ids, request=request,
        detail={"log_entry": entry.pk, "filters": {"page": page.number}},
    )  # fmt: skip
    return render(request, "certificates/pool/log_entry.html", {
        "entry": entry, "page": page, "people": people, "query": "",
        "imported": bool(entry.detail.get("imported_from")),
    })  # fmt: skip


@role_required(Role.COORDINATOR)
def tokens(request):
    created = None
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            _token, created = api.token_create(user=request.user, name=form.cleaned_data["name"])
            form = TokenForm()
    else:
        form = TokenForm()
    response = render(request, "certificates/pool/tokens.html", {
        "form": form, "created": created,
        "tokens": ApiToken.objects.filter(user=request.user),
    })  # fmt: skip
    response["Cache-Control"] = "no-store"
    return response


@role_required(Role.COORDINATOR)
@require_POST
def token_revoke(request, token_id):
    """Two steps, without JavaScript: the tokens page's button asks, this page says what will
    happen to which token, and only its confirmation (`confirm`) revokes."""
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    if token.revoked_at is not None:
        messages.info(request, _("This token was already revoked."))
        return redirect("certificates:tokens")
    if request.POST.get("confirm") != "yes":
        response = render(request, "certificates/pool/token_revoke.html", {"token": token})
        response["Cache-Control"] = "no-store"
        return response
    api.token_revoke(token=token)
    messages.success(request, _("Token revoked: it no longer opens the API."))
    return redirect("certificates:tokens")
