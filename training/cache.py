"""The Redis cache backend production uses: Django's, reusing one client per connection pool.

Django 5.2 builds a new redis-py client object for every cache call; a request that reads its
session, counts a rate limit and reads a cached value builds three. redis-py clients are
thread-safe over their connection pool, so one per pool is enough (the pools themselves are
Django's, unchanged).
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class PooledClientRedisCacheClient(RedisCacheClient):
    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(index)
        if client is None:
            client = clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class PooledClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = PooledClientRedisCacheClient

    def count(self, key, timeout, version=None) -> int:
        """Count one in `key` (created with `timeout` seconds to live if missing) and return
        the count: one command (a small Lua script: INCR, and EXPIRE on the first), where
        Django's `add` then `incr` take up to four round trips (`incr` asks EXISTS first)."""
        key = self.make_and_validate_key(key, version=version)
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
