"""The Redis cache backend production uses: Django's, reusing one client per connection pool,
and working on without Redis.

Django 5.2 builds a new redis-py client object for every cache call; a request that reads its
session, counts a rate limit and reads a cached value builds three. redis-py clients are
thread-safe over their connection pool, so one per pool is enough (the pools themselves are
Django's, unchanged).

Redis unreachable (stopped, restarting, loading its data, the network gone: a connection error
or a timeout; any other Redis error, a wrong command or a wrong type, is raised as usual): every
call behaves as a miss instead of failing the request. A read finds nothing, a write is dropped,
`count` answers 0 (so rate limits, ours and allauth's, fail open: nobody is refused while Redis
is down), `incr` raises ValueError as for a missing key. Sessions (cached_db) are read from the
database. The first failure is logged once per process, and the return.

After a failure the process does not ask Redis again for RETRY_SECONDS (an OPTIONS key, default
`RETRY_SECONDS`): a request that makes twenty cache calls waits for one socket timeout, not
twenty. Calls in that time are misses and dropped writes as above.

A dropped write (possibly a generation moved to invalidate cached pages: courses/page_cache.py,
training/routing.py) must not leave any process serving what it should have invalidated:

- the process that dropped it empties the cache once when Redis answers it again;
- every other process reads the same Redis, and may have seen it answer all along: on the first
  dropped write of an outage, the process queues `training.tasks.clear_cache` through the outbox
  (training/outbox.py). The row is written in PostgreSQL (after the caller's commit, when there
  is one), survives the outage, and is sent when the broker answers again; a worker then empties
  the cache for everyone.
"""

import functools
import logging
import threading
import time

import redis
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)

# Redis did not answer: the cache degrades. Any other RedisError (ResponseError: a wrong type, a
# script error) is a bug and raised. (BusyLoadingError is a ConnectionError; named for the reader.)
CONNECTION_ERRORS = (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError)
# After a connection failure, Redis is not asked again for this many seconds (OPTIONS key
# "RETRY_SECONDS" overrides it).
RETRY_SECONDS = 5.0


class PooledClientRedisCacheClient(RedisCacheClient):
    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(index)
        if client is None:
            client = clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class _Health:
    """Whether the Redis at one location answers, shared by the threads of a process (Django
    gives each thread its own cache object)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.failing = False
        self.lost_writes = False
        # time.monotonic() before which Redis is not asked (after a failure).
        self.retry_at = 0.0
        # The durable clear (training.tasks.clear_cache) is written in the outbox for this outage.
        self.clear_queued = False


_health: dict[str, _Health] = {}


def _queue_clear(health: _Health) -> None:
    """Write the outbox row of `training.tasks.clear_cache`, once an outage per process. Called
    in autocommit (outside any transaction, or after the caller's commit). Never raises: the
    database may be down too; the next dropped write tries again."""
    with health.lock:
        if health.clear_queued:
            return
        health.clear_queued = True
    try:
        from . import outbox, tasks  # noqa: PLC0415 - models: not while settings are read

        outbox.queue(tasks.clear_cache, robust=True)
    except Exception:
        health.clear_queued = False
        logger.warning("cache: could not queue the cache clear in the outbox", exc_info=True)


def _queue_clear_after_commit(health: _Health) -> None:
    """After the caller's commit (a rolled-back transaction's dropped writes concerned a change
    that never happened); at once outside a transaction."""
    if health.clear_queued:
        return
    try:
        from django.db import transaction  # noqa: PLC0415

        if transaction.get_connection().in_atomic_block:
            transaction.on_commit(functools.partial(_queue_clear, health), robust=True)
            return
    except Exception:
        logger.warning("cache: could not queue the cache clear", exc_info=True)
        return
    _queue_clear(health)


class PooledClientRedisCache(RedisCache):
    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        self.retry_seconds = float(options.pop("RETRY_SECONDS", RETRY_SECONDS))
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = PooledClientRedisCacheClient
        self._health = _health.setdefault(str(server), _Health())

    def _call(self, method, fallback, *args, write: bool, **kwargs):
        health = self._health
        failing, emptied = health.failing, False
        if failing and time.monotonic() < health.retry_at:
            self._dropped(write=write)  # not asked: it failed a moment ago
            return fallback
        try:
            if failing and health.lost_writes:
                # The first call after an outage in which a write was dropped (possibly a
                # generation moved to invalidate cached pages) empties the cache first.
                super().clear()
                emptied = True
            result = method(*args, **kwargs)
        except CONNECTION_ERRORS as error:
            self._failed(error, write=write)
            return fallback
        if failing:
            self._recovered(emptied)
        return result

    def _failed(self, error, *, write: bool) -> None:
        health = self._health
        with health.lock:
            first = not health.failing
            health.failing = True
            health.retry_at = time.monotonic() + self.retry_seconds
        if first:
            logger.warning("cache: Redis unavailable, working without the cache: %r", error)
        self._dropped(write=write)

    def _dropped(self, *, write: bool) -> None:
        if not write:
            return
        health = self._health
        with health.lock:
            health.lost_writes = True
        _queue_clear_after_commit(health)

    def _recovered(self, emptied: bool) -> None:
        health = self._health
        with health.lock:
            if not health.failing:
                return
            health.failing = False
            health.retry_at = 0.0
            health.clear_queued = False
            if emptied:
                health.lost_writes = False
        logger.warning("cache: Redis answers again%s", "; emptied the cache" if emptied else "")

    def clear_or_raise(self) -> bool:
        """Empty the cache now, or raise the connection error (for training.tasks.clear_cache,
        which Celery then retries): no degradation, no wait."""
        return super().clear()

    # Reads: a miss.
    def get(self, key, default=None, version=None):
        return self._call(super().get, default, key, default, version, write=False)

    def get_many(self, keys, version=None):
        return self._call(super().get_many, {}, keys, version, write=False)

    def has_key(self, key, version=None):
        return self._call(super().has_key, False, key, version, write=False)

    # Writes: dropped.
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().add, False, key, value, timeout, version, write=True)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().set, None, key, value, timeout, version, write=True)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().set_many, list(data), data, timeout, version, write=True)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().touch, False, key, timeout, version, write=True)

    def delete(self, key, version=None):
        return self._call(super().delete, False, key, version, write=True)

    def delete_many(self, keys, version=None):
        return self._call(super().delete_many, None, keys, version, write=True)

    def clear(self):
        return self._call(super().clear, False, write=True)

    def incr(self, key, delta=1, version=None):
        missing = object()
        value = self._call(super().incr, missing, key, delta, version, write=True)
        if value is missing:
            raise ValueError(f"Key '{key}' not found (the cache is unavailable).")
        return value

    def count(self, key, timeout, version=None) -> int:
        """Count one in `key` (created with `timeout` seconds to live if missing) and return
        the count: one command (a small Lua script: INCR, and EXPIRE on the first), where
        Django's `add` then `incr` take up to four round trips (`incr` asks EXISTS first)."""
        key = self.make_and_validate_key(key, version=version)
        # Redis unavailable: 0, a limit never reached (rate limits fail open).
        return self._call(self._count, 0, key, timeout, write=True)

    def _count(self, key, timeout) -> int:
        client = self._cache.get_client(key, write=True)
        script = self.__dict__.get("_count_script")
        if script is None:
            script = self.__dict__["_count_script"] = client.register_script(COUNT_SCRIPT)
        return int(script(keys=[key], args=[int(timeout)], client=client))


COUNT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""


def clear_default_cache() -> bool:
    """Empty the default cache (training.tasks.clear_cache). A Redis that does not answer raises
    its connection error, for the task to be retried."""
    cache = caches["default"]
    if isinstance(cache, PooledClientRedisCache):
        return cache.clear_or_raise()
    cache.clear()
    return True
