"""A per-minute counter in the cache: `over(name, who, limit)` counts one request and says whether
this minute's limit is passed (H5P statements per learner, certificate verification per address,
the pool API per token)."""

from django.core.cache import cache
from django.utils import timezone


def over(name: str, who, limit: int) -> bool:
    """Shared across processes through the cache; one round trip on the common path (the H5P
    statement endpoint calls this for every statement)."""
    key = f"rate:{name}:{who}:{int(timezone.now().timestamp() // 60)}"
    try:
        count = cache.incr(key)
    except ValueError:  # the first request of this minute
        cache.add(key, 0, timeout=90)
        count = cache.incr(key)
    return count > limit
