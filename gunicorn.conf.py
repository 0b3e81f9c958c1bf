"""Gunicorn settings for Acompaña: https://docs.gunicorn.org/en/stable/settings.html

The Dockerfile starts `gunicorn --config gunicorn.conf.py training.wsgi:application` (gunicorn
also reads this file by itself when started from this folder). The command line adds the address
to bind; WEB_CONCURRENCY sets the number of worker processes, GUNICORN_THREADS the threads of
each (default 4), GUNICORN_TIMEOUT the seconds a stuck worker lives (default 30).

Logs carry no secrets: the access log is written by training.logs.AccessLogger, which replaces
the secret of any URL that holds one (a calendar feed, a password-reset or email-confirmation
key, an invitation, an H5P launch, a certificate's code, `?token=`…) by "[redacted]", in the
request line, the path, the query and the referer, whatever access_log_format says; headers that
carry credentials (Authorization, Cookie…) are never written. Django's own log lines go through
the same redaction (settings.LOGGING).
"""

import os
import shutil
import tempfile


def _setting(name, default):
    """A whole number of at least 1 from the environment variable `name`, else `default`."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise RuntimeError(f"{name} must be a whole number of at least 1, not {value!r}.")
    return number


# Threads, not one request per process: each worker process (WEB_CONCURRENCY of them) answers up
# to `threads` requests at once. The proxy (Caddy) streams request bodies through as they arrive,
# so a large upload on a slow link (an H5P package: up to ACOMPANA_REQUEST_MAX_BYTES) holds its
# thread for as long as the client takes to send it; with the sync worker it held the whole
# process, and `timeout` killed it mid-upload. A threaded worker's main loop tells the arbiter it
# is alive whatever its threads are doing, so `timeout` only catches a worker whose main loop is
# stuck, never a slow request; slow clients use up threads, not the site. Each thread keeps its
# own database connection (CONN_MAX_AGE): PostgreSQL must accept WEB_CONCURRENCY x
# GUNICORN_THREADS connections per web container, plus the workers'.
# Per-request state in the code is thread-local (threading.local, contextvars), never a plain
# module global: see training/routing.py, courses/page_cache.py, training/logging.py.
worker_class = "gthread"
threads = _setting("GUNICORN_THREADS", 4)
# Seconds a worker may go without telling the arbiter it is alive before it is killed and
# replaced (gunicorn's default). Not a limit on a request's time (see above).
timeout = _setting("GUNICORN_TIMEOUT", 30)

# Access log on standard output (the container's log), in gunicorn's default (combined) format,
# followed by the request's id (training/logging.py: the X-Request-ID the proxy set, or a new
# one), which Django's own JSON lines and the worker's lines for its tasks carry too.
accesslog = "-"
access_log_format = (
    '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %({x-request-id}o)s'
)
logger_class = "training.logs.AccessLogger"

# Gunicorn 25.1+ opens a control socket in $HOME/.gunicorn by default; nothing here uses it (the
# container is stopped and scaled by Compose), and the image's user may not write its home.
control_socket_disable = True


# Prometheus (training/metrics.py): each worker process counts its requests in files of one
# directory, and /metrics, whichever worker answers it, adds them all up (prometheus_client's
# multiprocess mode). The directory is made fresh when gunicorn starts (in TMPDIR) unless
# PROMETHEUS_MULTIPROC_DIR names one, which is then emptied.
_made_metrics_directory = None


def on_starting(server):
    global _made_metrics_directory
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        os.makedirs(directory, exist_ok=True)
        for name in os.listdir(directory):
            if name.endswith(".db"):
                os.remove(os.path.join(directory, name))
    else:
        directory = _made_metrics_directory = tempfile.mkdtemp(prefix="acompana-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory


def child_exit(server, worker):
    from prometheus_client import multiprocess  # noqa: PLC0415 — only once the directory is set

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _made_metrics_directory:
        shutil.rmtree(_made_metrics_directory, ignore_errors=True)
