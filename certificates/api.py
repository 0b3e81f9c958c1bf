"""The read-only pool API for helpdesks: GET /api/v1/responders/ with the pool's filters.

Authenticated by a coordinator's token (`Authorization: Bearer <token>`), stored hashed; a
revoked token, or one whose owner is no longer an active coordinator, gets 401. Every call is
recorded like an export. Paginated with `limit` (1 to 200, default 50) and `offset`; a value out
of range is answered 400 with a JSON message, never silently changed.
"""

import secrets

from django.conf import settings
from django.db import transaction
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from training import audit, ratelimit
from training.models import AccountDeletion
from training.roles import Role

from . import pool
from .models import ApiToken, token_hash

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_OFFSET = 10**9  # beyond any pool; keeps the SQL OFFSET in range


def token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """A new token; the clear text is returned once and never stored."""
    secret = "acp_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name.strip()[:100], prefix=secret[4:12],
                                    key_hash=token_hash(secret))  # fmt: skip
    return token, secret


@transaction.atomic
def token_revoke(*, token: ApiToken) -> ApiToken:
    """The token stops opening the API at once (a helpdesk using it gets 401). Idempotent."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def _unauthorized(message: str, status: int = 401) -> JsonResponse:
    response = JsonResponse({"error": message}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="acompana"'
    return response


def authenticate(request) -> ApiToken | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _space, secret = header.partition(" ")
    if scheme.lower() not in ("bearer", "token") or not secret.strip():
        return None
    # A person who asked for their account to be deleted is signed out everywhere at once; their
    # tokens stop working too (one query: the pending deletion is a NOT EXISTS).
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=token_hash(secret.strip()), revoked_at__isnull=True)
        .exclude(user__deletions__status=AccountDeletion.Status.PENDING)
        .first()
    )
    if token is None or not token.user.is_active or not token.user.has_role(Role.COORDINATOR):
        return None
    return token


@csrf_exempt
@never_cache
@require_GET
@transaction.non_atomic_requests
def responders(request):
    token = authenticate(request)
    if token is None:
        return _unauthorized("A valid coordinator's token is required.")
    if ratelimit.over("pool-api", token.pk, settings.ACOMPANA_API_RATE):
        return _unauthorized("Too many requests; try again in a minute.", status=429)
    form = pool.PoolFilter(request.GET)
    if not form.is_valid():
        return JsonResponse({"error": "Invalid filters.", "fields": form.errors}, status=400)
    try:
        limit = int(request.GET.get("limit", DEFAULT_LIMIT))
        offset = int(request.GET.get("offset", 0))
    except ValueError:
        return JsonResponse({"error": "limit and offset must be whole numbers."}, status=400)
    # Out of range is refused, never quietly changed: a helpdesk that asks for 99999 rows and
    # gets 200 would believe it has the whole pool.
    if not 1 <= limit <= MAX_LIMIT:
        return JsonResponse({"error": f"limit must be between 1 and {MAX_LIMIT}; page through "
                                      "the rest with offset.", "max_limit": MAX_LIMIT},
                            status=400)  # fmt: skip
    if not 0 <= offset <= MAX_OFFSET:
        return JsonResponse({"error": f"offset must be between 0 and {MAX_OFFSET}."}, status=400)
    queryset = pool.members(form.cleaned_data)
    count = queryset.count()
    page = list(queryset.values(*pool.FIELDS)[offset : offset + limit])
    rows = [pool.record(values) for values in page]
    audit.record_many(
        action="pool.api", people=[values["user_id"] for values in page], actor=token.user,
        request=request, detail={"filters": {**form.used(), "offset": offset, "limit": limit},
                                 "token": {"id": token.pk, "prefix": token.prefix}},
    )  # fmt: skip
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    following = offset + limit
    return JsonResponse({
        "count": count,
        "limit": limit,
        "offset": offset,
        "next_offset": following if following < count else None,
        "results": rows,
    }, json_dumps_params={"ensure_ascii": False})  # fmt: skip
