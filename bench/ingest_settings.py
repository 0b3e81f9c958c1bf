"""Settings for the ingest benchmark (bench/ingest.py): the bench settings, served by gunicorn.

Like production where it matters for throughput: PostgreSQL with persistent connections, and a
Redis cache shared by every gunicorn worker (sessions are `cached_db`, and the per-learner rate
counter lives in the cache). One difference, on purpose: the per-learner xAPI rate limit is
lifted, and so is the per-learner daily statement quota, because each benchmark client posts far
more statements than a person would (see bench/README.md). Only `acompana_bench` and Redis
database 3 are ever touched.
"""

from training.settings.bench import *  # noqa: F403
from training.settings.bench import env, with_engine_options

DATABASES = {
    "default": with_engine_options(
        env.db("BENCH_DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/acompana_bench")
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# As in production (training/settings/production.py): a worker keeps its connection.
DATABASES["default"]["CONN_MAX_AGE"] = 60
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

CACHES = {
    "default": {
        "BACKEND": "training.cache.PooledClientRedisCache",
        "LOCATION": env("BENCH_REDIS_URL", default="redis://127.0.0.1:6379/3"),
        "KEY_PREFIX": "acompana-bench",
    }
}

# Each client posts about 15 statements a second, against 240 a minute for a real learner.
ACOMPANA_H5P_XAPI_RATE = 10**9
# Past 1,000 statements a day a learner's statements are answered 200 but no longer stored
# (courses.h5p.xapi.daily_quota_over): a client passes that within a run or two, and would then
# measure a cheaper path and count its statements as lost. The counter's cost (one Redis INCR a
# statement) is still paid.
ACOMPANA_H5P_STATEMENTS_PER_DAY = 10**9
