"""Download my data (/accounts/data/): ask, watch it being prepared, download it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import audit, privacy
from .data_download import ERRORS, TooManyRequests, data_download_request, shown_status
from .models import DataDownload


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def account_data(request):
    person = request.user
    if request.method == "POST":
        try:
            data_download_request(person=person, request=request)
        except TooManyRequests as error:
            messages.error(request, error.messages[0])
        return redirect("account_data")
    download = DataDownload.objects.filter(person=person).first()
    status = shown_status(download) if download is not None else ""
    error = ""
    if status == DataDownload.Status.FAILED:
        error = ERRORS.get(download.error if download.status == status else "lost", ERRORS["error"])
    return render(request, "training/account_data.html", {
        "download": download, "status": status, "error": error,
        "in_progress": status in DataDownload.IN_PROGRESS,
        "categories": [category for category, _declarations in privacy.by_category_for(person)],
    })  # fmt: skip


@login_required
@never_cache
def account_data_download(request, download_id):
    """The archive, to its owner only (anyone else: 404), while its link works. Each download
    is recorded in the audit log."""
    download = get_object_or_404(DataDownload, pk=download_id, person=request.user)
    if shown_status(download) != DataDownload.Status.READY or not download.file:
        raise Http404
    try:
        handle = download.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    audit.record(action="account.data_downloaded", actor=request.user, subject=request.user,
                 request=request, detail={"download": download.pk})  # fmt: skip
    name = f"acompana-data-{timezone.localdate(download.created_at):%Y-%m-%d}.zip"
    response = FileResponse(handle, as_attachment=True, filename=name,
                            content_type="application/zip")  # fmt: skip
    response["Cache-Control"] = "private, no-store"
    return response
