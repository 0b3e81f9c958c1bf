"""A per-minute counter in the cache: `over(name, who, limit)` counts one request and says whether
this minute's limit is passed (certificate verification per address, the pool API per token)."""

from django.core.cache import cache
from django.utils import timezone


def over(name: str, who, limit: int) -> bool:
    key = f"rate:{name}:{who}:{int(timezone.now().timestamp() // 60)}"
    cache.add(key, 0, timeout=120)
    try:
        return cache.incr(key) > limit
    except ValueError:  # the entry expired between add and incr: a new minute
        return False
