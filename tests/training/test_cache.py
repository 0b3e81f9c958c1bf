"""Production's Redis cache backend, against the real Redis: one client per pool, same results;
and without Redis: a miss, a pause before asking again, a durable clear of what may be stale."""

import contextlib
import socket
import threading
import time
import uuid

import kombu.exceptions
import pytest
import redis
from django.db import transaction
from django.test import override_settings

from tests.conftest import skip_or_fail
from tests.servers import free_port
from training import outbox, ratelimit, tasks
from training.cache import PooledClientRedisCache
from training.models import OutboxTask

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


# --- Redis unreachable: a miss, a short pause, a durable clear ----------------------------------
class SilentRedis:
    """A TCP server that accepts connections and never answers: a Redis behind a broken network,
    where each command waits its socket timeout. Counts the connections made to it."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.accepted = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        with contextlib.suppress(OSError):
            while True:
                connection, _address = self.server.accept()
                self.accepted.append(connection)

    def close(self):
        self.server.close()
        for connection in self.accepted:
            connection.close()


@pytest.fixture
def silent_redis():
    server = SilentRedis()
    yield server
    server.close()


def test_a_redis_error_that_is_not_an_outage_is_raised(cache):
    cache.set("text", "not a number", 30)
    with pytest.raises(redis.ResponseError):
        cache.incr("text")  # INCR on a string: a bug to see, not Redis down
    assert cache._health.failing is False
    assert cache.get("text") == "not a number"


def test_after_a_timeout_redis_is_not_asked_again_for_a_few_seconds(silent_redis):
    cache = PooledClientRedisCache(
        f"redis://127.0.0.1:{silent_redis.port}/0",
        {"OPTIONS": {"socket_connect_timeout": 0.3, "socket_timeout": 0.3, "RETRY_SECONDS": 1}},
    )
    started = time.monotonic()
    for _ in range(20):  # a request's cache calls
        assert cache.get("page") is None
        cache.set("page", "rendered", 30)
    elapsed = time.monotonic() - started
    assert elapsed < 2, f"{elapsed:.1f} s: each call waited for its timeout"
    assert len(silent_redis.accepted) == 1
    time.sleep(1.1)  # RETRY_SECONDS later, it is asked again
    assert cache.get("page") is None
    assert len(silent_redis.accepted) == 2


class Broker:
    """Stands for Celery's publish (as tests/faults/test_outbox.py): refuses, or accepts."""

    def __init__(self):
        self.up = False
        self.received = []

    def __call__(self, row):
        if not self.up:
            raise kombu.exceptions.OperationalError("Error 111 connecting. Connection refused.")
        self.received.append(row.task)


@pytest.fixture
def broker(monkeypatch):
    broker = Broker()
    monkeypatch.setattr(outbox, "_eager", lambda task: False)
    monkeypatch.setattr(outbox, "_publish", broker)
    monkeypatch.setitem(outbox._state, "failed", False)
    return broker


def _unreachable():
    return PooledClientRedisCache(
        f"redis://127.0.0.1:{free_port()}/0", {"OPTIONS": {"socket_connect_timeout": 1}}
    )


@pytest.mark.django_db(transaction=True)
def test_a_dropped_write_queues_one_durable_cache_clear_for_every_process(broker):
    cache = _unreachable()
    assert cache.get("page") is None
    assert not OutboxTask.objects.exists()  # a miss changes nothing
    cache.set("generation", 2, None)  # an invalidation, dropped
    assert cache.delete("page") is False  # another
    (row,) = OutboxTask.objects.all()
    assert row.task == "training.tasks.clear_cache"
    assert row.sent_at is None and row.attempts == 1  # kept for the relay
    # Sent when the broker answers again; a worker then empties the cache for everyone.
    broker.up = True
    assert outbox.relay() == 1
    assert broker.received == ["training.tasks.clear_cache"]


@pytest.mark.django_db(transaction=True)
def test_the_clear_is_written_with_the_callers_commit(broker):
    cache = _unreachable()
    with pytest.raises(RuntimeError), transaction.atomic():
        cache.delete("page")
        raise RuntimeError("the change failed: nothing to invalidate")
    assert not OutboxTask.objects.exists()
    with transaction.atomic():
        cache.delete("page")
        assert not OutboxTask.objects.exists()
    assert OutboxTask.objects.get().task == "training.tasks.clear_cache"


def test_the_clear_task_empties_the_cache_every_process_reads():
    url = "redis://127.0.0.1:6379/12"
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        skip_or_fail("Redis is not running at 127.0.0.1:6379")
    backend = {"BACKEND": "training.cache.PooledClientRedisCache", "LOCATION": url}
    other_process = PooledClientRedisCache(url, {})
    other_process.set("page", "stale", None)
    with override_settings(CACHES={"default": backend}):
        assert tasks.clear_cache() is True
    assert other_process.get("page") is None
    closed = {**backend, "LOCATION": f"redis://127.0.0.1:{free_port()}/0"}
    with override_settings(CACHES={"default": closed}), pytest.raises(redis.ConnectionError):
        tasks.clear_cache()  # raised, for Celery to retry it
