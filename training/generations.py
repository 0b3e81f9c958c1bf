"""Cache generations read together: one round trip to the cache for all of them.

A *generation* is a token in the Django cache that moves whenever what a cache holds may have
changed (training.routing's for pages and sites, courses.page_cache's for outlines and blocks,
cohorts' for release dates). A page checks several at the start of a request: each one read on
its own is a round trip to Redis. training.routing reads every key registered here with its own,
in one `get_many`, and keeps the values for the rest of the request; the cache that owns a key
takes its value once (`prefetched`) and forgets it when it moves the key (`forget`).

No model is imported here: apps register their keys while they load.
"""

import threading

PREFETCH: set[str] = set()
_local = threading.local()


def prefetch(key: str) -> None:
    """Read the cache key `key` with the routing generation, once per request."""
    PREFETCH.add(key)


def keep(values: dict) -> None:
    """The values read at the start of this request (training.routing); {} to forget them."""
    _local.values = {key: value for key, value in values.items() if key in PREFETCH}


def prefetched(key: str):
    """The value of `key` read at the start of this request, once (a second call, or a call
    after `forget`, gives None); None when it was not read."""
    values = getattr(_local, "values", None)
    return values.pop(key, None) if values else None


def forget(key: str) -> None:
    """`key` moved: the value read at the start of the request is no longer right."""
    values = getattr(_local, "values", None)
    if values:
        values.pop(key, None)
