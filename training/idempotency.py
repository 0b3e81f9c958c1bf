"""Nothing recorded twice: a request sent with an `Idempotency-Key` header (a uuid; the device
queue, static/js/device-queue.js, sends one with each thing it sends) is answered once. Sent
again with the same key (its answer was lost on a dropped connection, another tab sent it too),
it gets the first answer and the view does not run again.

The key is recorded in the view's transaction, before the view runs: a second request with the
same key, arriving while the first one runs, waits on the unique constraint, then reads the
first answer once it is committed. An answer of 500 or more is not kept, and what the view wrote
before answering it is rolled back with the key: sending again is right. A request without
the header runs as it always did (forms posted without JavaScript); a header that is not a
uuid, or a key already used for another address, is refused (400, 422) without running the
view. A request the device queue sent for another person than the one signed in
(training.device.owner_refused) is refused (401) before anything.

Keys are personal data (which requests a person's device sent, and their answers): kept
ACOMPANA_IDEMPOTENCY_DAYS (`idempotency_keys_purge`, training.tasks), declared in the privacy
registry (training/personal_data.py).
"""

import functools
import json
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from .device import owner_refused
from .models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
# The largest answer kept to be given again (the learning actions answer a few hundred bytes).
MAX_ANSWER_BYTES = 16_000


def _key(request) -> uuid.UUID | bool | None:
    """The request's key; None without one; False for one that is not a uuid."""
    value = request.headers.get(HEADER)
    if value is None:
        return None
    try:
        return uuid.UUID(value.strip()[:64])
    except ValueError:
        return False


def _refused(status: int) -> JsonResponse:
    return JsonResponse(
        {"ok": False, "error": _("This could not be read."), "code": "idempotency"}, status=status
    )


def _replay(record: IdempotencyKey) -> HttpResponse:
    if record.answer is not None:
        response = JsonResponse(record.answer, status=record.status, safe=False)
    elif record.location:
        response = HttpResponseRedirect(record.location, status=record.status)
    else:
        response = HttpResponse(status=record.status)
    response[REPLAYED] = "true"
    return response


def _answer(response) -> object:
    if not response.get("Content-Type", "").startswith("application/json"):
        return None
    if getattr(response, "streaming", False) or len(response.content) > MAX_ANSWER_BYTES:
        return None
    try:
        return json.loads(response.content)
    except ValueError:
        return None


def idempotent(view):
    """Answer a signed-in person's POST with an Idempotency-Key once (see the module)."""

    @functools.wraps(view)
    def answer(request, *args, **kwargs):
        if request.method == "POST":
            refused = owner_refused(request)
            if refused is not None:
                return refused
        key = _key(request)
        if key is None or request.method != "POST" or not request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if key is False:
            return _refused(400)
        path = request.path[:300]
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = IdempotencyKey.objects.create(user=request.user, key=key, path=path)
            except IntegrityError:
                record = IdempotencyKey.objects.filter(user=request.user, key=key).first()
                if record is None:  # gone between the two (purged): run it as new
                    return view(request, *args, **kwargs)
                if record.path != path:
                    return _refused(422)
                return _replay(record)
            response = view(request, *args, **kwargs)
            if response.status_code >= 500:
                # Nothing of it stays: neither the key nor what the view wrote before failing.
                transaction.set_rollback(True)
                return response
            record.status = response.status_code
            record.answer = _answer(response)
            if record.answer is None and response.has_header("Location"):
                record.location = response["Location"][:500]
            record.save(update_fields=["status", "answer", "location"])
        return response

    return answer


def idempotency_keys_purge(*, now=None) -> int:
    """Forget keys older than ACOMPANA_IDEMPOTENCY_DAYS; return how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.ACOMPANA_IDEMPOTENCY_DAYS)
    count, _deleted = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return count
