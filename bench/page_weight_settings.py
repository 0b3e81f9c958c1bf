"""Settings for the page-weight benchmark (bench/page_weight.py): served like production.

The bench settings (`DEBUG = False`) with what decides what a browser downloads as in
training/settings/production.py: WhiteNoise serves the collected static files, with hashed names
and compressed siblings (`CompressedManifestStaticFilesStorage`, collected into bench/staticfiles),
right after the security middleware. gunicorn serves it, the platform at
http://localhost:PORT and the H5P origin at http://127.0.0.1:PORT (bench/page_weight.py sets
ACOMPANA_PLATFORM_ORIGIN and H5P_ORIGIN). The H5P store is the benchmark's own
(bench/private/h5p-store), so another database's hourly sweep never removes its files.
"""

from pathlib import Path

from training.settings.bench import *  # noqa: F403
from training.settings.bench import BASE_DIR, MIDDLEWARE, env, with_engine_options
from training.storage import storages_setting

DATABASES = {
    "default": with_engine_options(
        env.db("BENCH_DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/acompana_bench")
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = 60
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

MIDDLEWARE = [*MIDDLEWARE]
MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")
# Quick mode collects into its own directory (bench/common.py sets BENCH_STATIC_ROOT).
STATIC_ROOT = Path(env("BENCH_STATIC_ROOT", default=str(BASE_DIR / "bench" / "staticfiles")))
STORAGES = storages_setting(
    "local", staticfiles="whitenoise.storage.CompressedManifestStaticFilesStorage"
)
# The bench scripts' own store (bench/common.py sets ACOMPANA_H5P_ROOT; quick mode has another).
ACOMPANA_H5P_ROOT = Path(
    env("ACOMPANA_H5P_ROOT", default=str(BASE_DIR / "bench" / "private" / "h5p-store"))
)
