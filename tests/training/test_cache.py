"""Production's Redis cache backend, against the real Redis: one client per pool, same results."""

import uuid

import pytest
import redis

from tests.conftest import skip_or_fail
from training import ratelimit
from training.cache import PooledClientRedisCache

REDIS = "redis://127.0.0.1:6379/5"


@pytest.fixture
def cache():
    try:
        redis.Redis.from_url(REDIS).ping()
    except redis.exceptions.ConnectionError:
        skip_or_fail("Redis is not running at 127.0.0.1:6379")
    return PooledClientRedisCache(REDIS, {"KEY_PREFIX": f"test-{uuid.uuid4()}"})


def test_it_reads_writes_and_counts_like_djangos_and_reuses_its_client(cache):
    cache.set("answer", {"a": 1}, 30)
    assert cache.get("answer") == {"a": 1}
    assert cache.add("count", 0, 30) is True
    assert cache.incr("count") == 1
    assert cache.incr("count") == 2
    with pytest.raises(ValueError):
        cache.incr("missing")
    cache.delete("answer")
    assert cache.get("answer") is None
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client(write=True) is client
    assert cache._cache.get_client() is client  # one server: reads use the same pool


def test_count_starts_a_window_with_its_timeout_in_one_command(cache, monkeypatch):
    assert cache.count("window", 90) == 1
    assert cache.count("window", 90) == 2
    assert cache.get("window") == 2  # readable like a counter made with add and incr
    assert cache.incr("window") == 3
    key = cache.make_and_validate_key("window")
    assert 0 < cache._cache.get_client(key).ttl(key) <= 90  # the first count's timeout, kept
    sent = []
    client = cache._cache.get_client(write=True)
    original = client.evalsha

    def evalsha(*args, **kwargs):
        sent.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(client, "evalsha", evalsha)
    monkeypatch.setattr(client, "exists", lambda *a: pytest.fail("EXISTS asked"))
    monkeypatch.setattr(ratelimit, "cache", cache)
    assert ratelimit.count("h5p-statements-day", 7, window=86400) == 1
    assert ratelimit.over("h5p-xapi", 7, 1) is False
    assert ratelimit.over("h5p-xapi", 7, 1) is True
    assert len(sent) == 3  # one command (one round trip) a count
    ratelimit.reset("h5p-xapi", 7)
    assert ratelimit.over("h5p-xapi", 7, 1) is False
