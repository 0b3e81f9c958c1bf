"""A per-minute counter in the cache: `over(name, who, limit)` counts one request and says whether
this minute's limit is passed (H5P statements per learner, certificate verification per address,
the pool API per token)."""

from allauth.account.adapter import get_adapter
from django.core.cache import cache
from django.utils import timezone


def count(name: str, who, *, window: int = 60) -> int:
    """Count one request of `who` in this window (seconds: a minute by default, a day for the
    H5P statement quota) and return how many there were. Shared across processes through the
    cache; one round trip to Redis (the H5P statement endpoint counts every one)."""
    key = _key(name, who, window)
    timeout = window + max(30, window // 24)
    if hasattr(cache, "count"):  # Redis (training.cache): one round trip, whatever the window
        return cache.count(key, timeout)
    try:
        return cache.incr(key)
    except ValueError:  # the first request of this window
        cache.add(key, 0, timeout=timeout)
        return cache.incr(key)


def _key(name: str, who, window: int) -> str:
    return f"rate:{name}:{who}:{int(timezone.now().timestamp() // window)}"


def reset(name: str, who, *, window: int = 60) -> None:
    """Forget this window's count of `who` (the benchmarks start each run alike)."""
    cache.delete(_key(name, who, window))


def over(name: str, who, limit: int, *, window: int = 60) -> bool:
    return count(name, who, window=window) > limit


def client_address(request) -> str:
    """The client's address as allauth reads it (behind ALLAUTH_TRUSTED_PROXY_COUNT proxies);
    with no usable address (a misconfigured proxy), one shared allowance."""
    try:
        return get_adapter().get_client_ip(request)
    except Exception:
        return "unknown"
