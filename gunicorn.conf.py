"""Gunicorn settings for Acompaña: https://docs.gunicorn.org/en/stable/settings.html

The Dockerfile starts `gunicorn --config gunicorn.conf.py training.wsgi:application` (gunicorn
also reads this file by itself when started from this folder). The command line adds the address
to bind; WEB_CONCURRENCY sets the number of worker processes.

Logs carry no secrets: the access log is written by training.logs.AccessLogger, which replaces
the secret of any URL that holds one (a calendar feed, a password-reset or email-confirmation
key, an invitation, an H5P launch, a certificate's code, `?token=`…) by "[redacted]", in the
request line, the path, the query and the referer, whatever access_log_format says; headers that
carry credentials (Authorization, Cookie…) are never written. Django's own log lines go through
the same redaction (settings.LOGGING).
"""

# Access log on standard output (the container's log), in gunicorn's default (combined) format.
accesslog = "-"
logger_class = "training.logs.AccessLogger"

# Gunicorn 25.1+ opens a control socket in $HOME/.gunicorn by default; nothing here uses it (the
# container is stopped and scaled by Compose), and the image's user may not write its home.
control_socket_disable = True
