"""What the course, module and catalog pages show that is the same for everyone who reads the
same copy in the same language: the original course behind a copy, its published modules in
order (titled in the copy's words), the prerequisite courses, languages and topics; the
catalog's courses. Kept in the Django cache (Redis in production: every process agrees), under
a generation that moves whenever published content could have changed (see `invalidate`), so
a page never shows a stale outline. Each read is copied: nothing a request changes is shared.
The outlines themselves are courses.outlines; this module is the cache only, with no model, so
that apps can connect to it while they load (cohorts.apps).

The generation is the one the module blocks' HTML is cached under (courses.selectors): one
cache read a request serves both.
"""

import secrets
import threading

from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import DEFAULT_DB_ALIAS, transaction

from training import generations

GENERATION_KEY = "module-blocks-generation"
SECONDS = 60 * 60 * 24


# The generations read during the current request, by key: read from the cache once per request
# (a page asks several times: outline, titles, catalog, blocks), forgotten at the start and end of
# every request and whenever this process moves one. Outside a request they are read every time.
_REQUEST = threading.local()


def _request_started(**kwargs) -> None:
    _REQUEST.generations = {}


def _request_finished(**kwargs) -> None:
    _REQUEST.generations = None


def connect() -> None:
    generations.prefetch(GENERATION_KEY)
    request_started.connect(_request_started, dispatch_uid="courses-page-cache-request-started")
    request_finished.connect(_request_finished, dispatch_uid="courses-page-cache-request-finished")


def generation(key: str = GENERATION_KEY) -> int:
    read = getattr(_REQUEST, "generations", None)
    if read is not None and key in read:
        return read[key]
    # Read with the routing generation at the start of the request, when it was there
    # (training.generations): one round trip for every generation a page needs.
    value = generations.prefetched(key) if read is not None else None
    # A random start (not 1): a cache emptied (a restart, `cache.clear()`) never brings back a
    # generation that values kept in a process (_LOCAL) were read under.
    if value is None:
        value = cache.get_or_set(key, _start, None)
    if read is not None:
        read[key] = value
    return value


def _start() -> int:
    return secrets.randbits(48)


def _bump(key: str = GENERATION_KEY) -> None:
    read = getattr(_REQUEST, "generations", None)
    if read:
        read.pop(key, None)
    generations.forget(key)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, _start(), None)


def generation_invalidator(key: str):
    """A signal receiver moving the generation `key` now and once the change is committed (see
    `invalidate`): for values that depend on less than every page (cohorts' release dates).
    The key is read with the others at the start of a request (training.generations)."""
    generations.prefetch(key)

    def receiver(**kwargs) -> None:
        _bump(key)
        transaction.on_commit(lambda: _bump(key))

    return receiver


def invalidate(**kwargs) -> None:
    """Connected (courses.apps) to every change of pages (save, delete, publish, unpublish,
    move), sites, locales, view restrictions, topics, course languages, images and documents.
    Moved now, and again once the change is committed: a request that read the old rows while
    the change was not committed yet may have cached them under the first new generation."""
    _bump()
    transaction.on_commit(_bump)


# The values last read in this process, by key (the generation is in the key, so a value kept
# here is as valid as the cache's): no unpickling on every request. Never changed once read.
_LOCAL: dict[str, object] = {}
LOCAL_SIZE = 500


def cached(name: str, parts, build, *, fresh: bool = False, generation_key=GENERATION_KEY):
    """`build()`, cached under `name`, `parts` and the generation (not when `fresh`). The value
    is shared: callers copy what they change."""
    if fresh:
        return build()
    key = ":".join(["courses-page", name, str(generation(generation_key)), *map(str, parts)])
    value = _LOCAL.get(key)
    if value is not None:
        return value
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, SECONDS)
    if len(_LOCAL) >= LOCAL_SIZE:
        _LOCAL.clear()
    _LOCAL[key] = value
    return value


def partial(model, values: dict):
    """An instance of `model` with only these fields (attnames) loaded, as the ORM makes one
    from `.only()`: any other field is read from the database if someone needs it."""
    names = set(values)
    row = [values[f.attname] for f in model._meta.concrete_fields if f.attname in names]
    return model.from_db(DEFAULT_DB_ALIAS, names, row)
