"""The responder pool for coordinators: search, exports, the access record, API tokens."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from training import audit
from training.models import AuditEntry, AuditSubject
from training.permissions import role_required
from training.roles import Role

from . import exports, pool
from .api import token_create
from .forms import TokenForm
from .models import ApiToken, PoolExport, PoolMember


def _filter_form(request) -> pool.PoolFilter:
    data = request.GET if any(key in request.GET for key in pool.PoolFilter.base_fields) else None
    return pool.PoolFilter(data)


@role_required(Role.COORDINATOR)
def pool_list(request):
    form = _filter_form(request)
    if form.is_bound and not form.is_valid():
        queryset = PoolMember.objects.none()  # a filter in error never shows everyone
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
        "form": form, "page": page, "query": query.urlencode(), "rows": rows,
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


@role_required(Role.COORDINATOR)
def access_log(request):
    """The pool's part of the audit log: pages opened, exports, API calls (three queries)."""
    sent = (
        AuditSubject.objects.filter(entry=OuterRef("pk"))
        .order_by()
        .values("entry")
        .annotate(n=Count("pk"))
        .values("n")
    )
    entries = (
        AuditEntry.objects.filter(action__in=exports.ACCESS_ACTIONS)
        .select_related("actor")
        .annotate(sent=Subquery(sent, output_field=IntegerField()))
        .order_by("-at", "-pk")
    )
    page = Paginator(entries, 100).get_page(request.GET.get("page"))
    for entry in page:
        # Records copied from before the audit log know how many, not who.
        entry.people = entry.count if entry.detail.get("imported_from") else (entry.sent or 0)
        entry.filters = pool.filter_items(entry.detail.get("filters") or {})
    return render(request, "certificates/pool/log.html", {
        "page": page, "keep_days": settings.ACOMPANA_AUDIT_LOG_DAYS,
    })  # fmt: skip


@role_required(Role.COORDINATOR)
def tokens(request):
    created = None
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            _token, created = token_create(user=request.user, name=form.cleaned_data["name"])
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
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        messages.success(request, _("Token revoked: it no longer opens the API."))
    return redirect("certificates:tokens")
