"""The Redis cache backend production uses: Django's, reusing one client per connection pool,
and working on without Redis.

Django 5.2 builds a new redis-py client object for every cache call; a request that reads its
session, counts a rate limit and reads a cached value builds three. redis-py clients are
thread-safe over their connection pool, so one per pool is enough (the pools themselves are
Django's, unchanged).

Redis unreachable (stopped, restarting, the network gone): every call behaves as a miss instead
of failing the request. A read finds nothing, a write is dropped, `count` answers 0 (so rate
limits, ours and allauth's, fail open: nobody is refused while Redis is down), `incr` raises
ValueError as for a missing key. Sessions (cached_db) are read from the database. The first
failure is logged once per process, and the return. A process that dropped a write meanwhile
(possibly a generation moved to invalidate cached pages: courses/page_cache.py,
training/routing.py) empties the cache once when Redis answers again, so that nothing stale
comes back.
"""

import logging
import threading

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


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


_health: dict[str, _Health] = {}


class PooledClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = PooledClientRedisCacheClient
        self._health = _health.setdefault(str(server), _Health())

    def _call(self, method, fallback, *args, write: bool, **kwargs):
        health = self._health
        failing, emptied = health.failing, False
        try:
            if failing and health.lost_writes:
                # The first call after an outage in which a write was dropped (possibly a
                # generation moved to invalidate cached pages) empties the cache first.
                super().clear()
                emptied = True
            result = method(*args, **kwargs)
        except RedisError as error:
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
            health.lost_writes = health.lost_writes or write
        if first:
            logger.warning("cache: Redis unavailable, working without the cache: %r", error)

    def _recovered(self, emptied: bool) -> None:
        health = self._health
        with health.lock:
            if not health.failing:
                return
            health.failing = False
            if emptied:
                health.lost_writes = False
        logger.warning("cache: Redis answers again%s", "; emptied the cache" if emptied else "")

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
