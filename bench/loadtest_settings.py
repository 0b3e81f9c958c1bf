"""Settings for the load test (bench/loadtest.py): production's, with the rate limits lifted.

Everything else comes from training.settings.production and the environment bench/loadtest.py
sets for the run (DATABASE_URL on PostgreSQL, Redis for the cache and the Celery broker,
WhiteNoise serving collected static files, DEBUG off, secure cookies behind a proxy that says
X-Forwarded-Proto: https). The differences, on purpose, are limits that count one person's
requests: each simulated person works far faster than a real one, so the load test would
otherwise measure the 429 answers. Their own cost (a Redis INCR a request) is still paid.
"""

from training.settings.production import *  # noqa: F403

# 240 requests a minute per learner in production; a simulated learner posts several a second.
ACOMPANA_H5P_XAPI_RATE = 10**9
# allauth's limits (the load test signs nobody in through forms, but stay out of the way).
ACCOUNT_RATE_LIMITS = False
# Past 1,000 statements a day a learner's statements are accepted but no longer stored: a
# simulated learner passes that in minutes, and would then measure a cheaper path.
ACOMPANA_H5P_STATEMENTS_PER_DAY = 10**9
