"""Prometheus metrics at /metrics, for the monitoring system only.

What is measured:
- requests, responses and their latency by view (django-prometheus' middleware, production
  settings only: benchmarks and tests run without it);
- Celery: the length of each broker queue (`acompana_celery_queue_length`, Redis LLEN read when
  Prometheus scrapes), the tasks taken by a worker and not yet acknowledged
  (`acompana_celery_unacked_tasks`), and tasks finished by outcome (`acompana_celery_tasks_total`
  by task and state: succeeded, failed, retried);
- the outbox: tasks committed but not yet accepted by the broker (`acompana_outbox_unsent`,
  training/outbox.py `waiting()`, one COUNT on PostgreSQL at scrape time): above zero for more
  than a few minutes, the broker is down or refusing, and the relay cannot catch up.

Who may read it: nobody, unless ACOMPANA_METRICS_TOKEN is set; then only a request that sends
`Authorization: Bearer <token>`. Everyone else gets a 404, as if there were no such page. The
reverse proxy never forwards /metrics either (deploy/Caddyfile): Prometheus scrapes each web
container directly on the internal network (web:8000/metrics). `MetricsMiddleware` answers
before host validation and the https redirect, so a scrape by container address over plain
HTTP works without listing that address in DJANGO_ALLOWED_HOSTS.

Why task outcomes are counted in Redis: tasks run in other processes, often on other machines
(worker containers) than the web process Prometheus scrapes, and a scrape reaches one web process
at a time. prometheus_client's multiprocess mode only merges processes that share a directory on
one machine. A Redis hash in the broker's database (HINCRBY from the worker's task signals, read
at scrape time) is shared by every worker and web process wherever they run, costs one round trip
per finished task, and survives worker restarts. (Gunicorn's own worker processes do share a
directory: their request metrics use multiprocess mode, see gunicorn.conf.py.)
"""

import hmac
import logging
import os
import threading

import redis
from celery.signals import task_failure, task_retry, task_success
from django.conf import settings
from django.http import HttpResponse, HttpResponseNotFound
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector

logger = logging.getLogger(__name__)

PATH = "/metrics"
# The broker database's hashes of finished tasks: {task name: count}, one hash per state.
OUTCOMES_KEY = "acompana:metrics:tasks:{state}"
STATES = ("succeeded", "failed", "retried")
# kombu's Redis transport keeps a queue's messages of priority p (3, 6, 9) in "<queue>\x06\x16p".
_PRIORITY_SUFFIXES = ("", *(f"\x06\x16{p}" for p in (3, 6, 9)))
# Where kombu keeps the messages workers took and have not acknowledged (acks_late).
_UNACKED_KEY = "unacked"


def _broker_client() -> redis.Redis:
    return redis.Redis.from_url(
        settings.CELERY_BROKER_URL, socket_connect_timeout=2, socket_timeout=2
    )


# One connection pool per broker URL for the whole process (a worker counts every task it
# finishes: a new connection each time would be a TCP handshake per task), with short timeouts:
# the worker waits for this after each task, and a count missed is only a count.
OUTCOME_TIMEOUT = 0.5
_outcome_pools: dict[str, redis.ConnectionPool] = {}
_outcome_pools_lock = threading.Lock()


def _outcome_client() -> redis.Redis:
    url = settings.CELERY_BROKER_URL
    pool = _outcome_pools.get(url)
    if pool is None:
        with _outcome_pools_lock:
            pool = _outcome_pools.get(url)
            if pool is None:
                pool = _outcome_pools[url] = redis.ConnectionPool.from_url(
                    url, socket_connect_timeout=OUTCOME_TIMEOUT, socket_timeout=OUTCOME_TIMEOUT
                )
    # redis-py resets a pool's connections in a process forked after it was made (prefork).
    return redis.Redis(connection_pool=pool)


def _queues() -> list[str]:
    names = {getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "celery")}
    for queue in getattr(settings, "CELERY_TASK_QUEUES", None) or ():
        names.add(getattr(queue, "name", queue))
    return sorted(names)


# --- Task outcomes, counted by the worker --------------------------------------------------------
def count_outcome(state: str, task_name: str) -> None:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return  # tasks run inside the request (tests, `make run`): no broker to count in
    try:
        _outcome_client().hincrby(OUTCOMES_KEY.format(state=state), task_name, 1)
    except redis.RedisError:
        logger.warning("metrics: could not count a %s task in Redis", state, exc_info=True)


def _task_name(sender) -> str:
    return getattr(sender, "name", None) or str(sender)


@task_success.connect(dispatch_uid="acompana-metrics-success")
def _succeeded(sender=None, **kwargs):
    count_outcome("succeeded", _task_name(sender))


@task_failure.connect(dispatch_uid="acompana-metrics-failure")
def _failed(sender=None, **kwargs):
    count_outcome("failed", _task_name(sender))


@task_retry.connect(dispatch_uid="acompana-metrics-retry")
def _retried(sender=None, **kwargs):
    count_outcome("retried", _task_name(sender))


# --- Read at scrape time --------------------------------------------------------------------------
class CeleryCollector:
    """Queue lengths and task outcomes, read from the broker when Prometheus asks."""

    def collect(self):
        up = GaugeMetricFamily(
            "acompana_celery_broker_up", "1 if the broker answered this scrape, 0 otherwise."
        )
        queue_length = GaugeMetricFamily(
            "acompana_celery_queue_length",
            "Tasks waiting in the broker queue (not yet taken by a worker).",
            labels=["queue"],
        )
        unacked = GaugeMetricFamily(
            "acompana_celery_unacked_tasks",
            "Tasks a worker has taken and not yet acknowledged (running, or lost with a worker).",
        )
        outcomes = CounterMetricFamily(
            "acompana_celery_tasks",
            "Tasks finished by a worker, by task and outcome (succeeded, failed, retried).",
            labels=["task", "state"],
        )
        try:
            with _broker_client() as client, client.pipeline(transaction=False) as pipe:
                queues = _queues()
                for queue in queues:
                    for suffix in _PRIORITY_SUFFIXES:
                        pipe.llen(queue + suffix)
                pipe.hlen(_UNACKED_KEY)
                for state in STATES:
                    pipe.hgetall(OUTCOMES_KEY.format(state=state))
                results = pipe.execute()
        except redis.RedisError:
            logger.warning("metrics: the broker did not answer", exc_info=True)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        per_queue = len(_PRIORITY_SUFFIXES)
        for index, queue in enumerate(queues):
            lengths = results[index * per_queue : (index + 1) * per_queue]
            queue_length.add_metric([queue], sum(lengths))
        position = len(queues) * per_queue
        unacked.add_metric([], results[position])
        for state, counts in zip(STATES, results[position + 1 :], strict=True):
            for name, value in sorted(counts.items()):
                outcomes.add_metric([name.decode(), state], int(value))
        yield from (up, queue_length, unacked, outcomes)


class OutboxCollector:
    """Tasks waiting in the outbox (training/outbox.py), counted when Prometheus asks. Nothing
    is reported when the database does not answer: the scrape itself still works."""

    def collect(self):
        from .outbox import waiting  # noqa: PLC0415 - models: loaded once the apps are

        unsent = GaugeMetricFamily(
            "acompana_outbox_unsent",
            "Tasks committed but not yet accepted by the broker (waiting for the relay).",
        )
        try:
            count = waiting().count()
        except Exception:  # the database down (or not reachable from here): no value
            logger.warning("metrics: could not count the outbox", exc_info=True)
            return
        unsent.add_metric([], count)
        yield unsent


def exposition() -> bytes:
    """The text Prometheus reads: this process's metrics (every gunicorn worker's, merged, in
    multiprocess mode) followed by the Celery collector's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        processes = CollectorRegistry()
        MultiProcessCollector(processes)
    else:
        processes = REGISTRY
    celery = CollectorRegistry()
    celery.register(CeleryCollector())
    celery.register(OutboxCollector())
    return generate_latest(processes) + generate_latest(celery)


def authorised(request) -> bool:
    token = settings.ACOMPANA_METRICS_TOKEN
    if not token:
        return False
    scheme, _, given = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    # As bytes: compare_digest refuses str with characters outside ASCII (a forged header).
    given_bytes = given.strip().encode("utf-8", "surrogateescape")
    return scheme.lower() == "bearer" and hmac.compare_digest(given_bytes, token.encode())


class MetricsMiddleware:
    """Answers /metrics (for Prometheus with the token; 404 for anyone else) before host
    validation, the https redirect, sessions or the database; other paths pass untouched."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info != PATH:
            return self.get_response(request)
        if not authorised(request):
            return HttpResponseNotFound(b"", content_type="text/plain")
        response = HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
        response["Cache-Control"] = "no-store"
        return response
