# Acompaña: one image for the web server (gunicorn), the Celery worker and Celery beat.
#
#   docker build -t acompana .
#   docker-compose up -d          # see docker-compose.yml and .env.example
#
# Two stages: "build" has the tools that are only needed to build (uv, Node.js and npm, gettext)
# and produces /app (code, virtual environment, compiled translations, collected static files);
# the final stage holds /app plus the shared libraries WeasyPrint needs at run time, and runs as
# an unprivileged user.
#
# Migrations are NOT run when a container starts: docker-compose.yml has a one-shot "migrate"
# service that runs `manage.py migrate` before web, worker and beat start. Anywhere else, run
#   docker run --rm --env-file .env acompana python manage.py migrate --no-input
# once per release, before starting the new web containers.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- Runtime base: what every stage needs -------------------------------------------------------
FROM ${PYTHON_IMAGE} AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PATH=/app/.venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=training.settings.production \
    DJANGO_STATIC_ROOT=/app/staticfiles \
    DJANGO_MEDIA_ROOT=/app/media

# WeasyPrint (certificates as PDF) loads Pango, HarfBuzz and fontconfig at run time. The Noto
# fonts print a name in any script (Latin, Arabic and Urdu, Devanagari, Bengali, Tamil, Thai,
# CJK, Ethiopic…) and emoji; certificates/pdf_assets/certificate.css lists them; DejaVu gives the
# monospaced verification code. https://doc.courtbouillon.org/weasyprint/stable/first_steps.html#debian-11
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
        fonts-noto-core \
        fonts-noto-cjk \
        fonts-noto-color-emoji \
    && rm -rf /var/lib/apt/lists/*

# pg_dump and pg_restore for `manage.py backup` and `restore` (README, "Backups and restore"):
# they must be of the server's major version or newer (docker-compose.yml runs PostgreSQL 16;
# Debian 12 has 15), so they come from the PostgreSQL project's own repository, whose key
# postgresql-common ships. https://www.postgresql.org/download/linux/debian/
ARG POSTGRES_CLIENT_VERSION=16
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-common \
    && /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y \
    && apt-get install -y --no-install-recommends "postgresql-client-${POSTGRES_CLIENT_VERSION}" \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# --- Build: dependencies, translations, static files ---------------------------------------------
FROM base AS build

# gettext for compilemessages; Node.js and npm for `npm ci` (browser packages, no build step).
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext nodejs npm \
    && rm -rf /var/lib/apt/lists/*

# The same uv as the Makefile, installed with pip; it installs the locked (uv.lock) production
# dependencies, without the dev group, into /app/.venv using the image's Python.
ARG UV_VERSION=0.13.8
RUN pip install "uv==${UV_VERSION}"
ENV UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_NO_CACHE=1

# Dependencies first, so that a code change does not reinstall them.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev

COPY package.json package-lock.json ./
# --ignore-scripts: third-party install scripts never run (h5p-standalone's only checks for yarn).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error

COPY . .

# compilemessages and collectstatic load the production settings (DJANGO_SETTINGS_MODULE above),
# which refuse to start without their secrets. These dummy values exist only for this RUN line:
# they are not ENV, so they are not in the image, and nothing here connects to the database,
# Redis or a mail server.
RUN DJANGO_SECRET_KEY=build-only-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz \
    DJANGO_ALLOWED_HOSTS=localhost \
    DATABASE_URL=postgres://build:build@localhost:5432/build \
    CELERY_BROKER_URL=redis://localhost:6379/0 \
    REDIS_CACHE_URL=redis://localhost:6379/1 \
    EMAIL_URL=consolemail:// \
    DJANGO_DEFAULT_FROM_EMAIL=build@localhost \
    WAGTAILADMIN_BASE_URL=https://localhost \
    H5P_ORIGIN=https://h5p.localhost \
    sh -c 'python manage.py compilemessages --ignore=.venv --ignore=node_modules -v0 \
        && python manage.py collectstatic --noinput -v0'

# --- Final image ----------------------------------------------------------------------------------
FROM base

COPY --from=build /app /app

# An unprivileged user that owns nothing but the directories it must write: uploaded media, the
# Celery beat schedule and the static files the proxy serves (volumes in docker-compose.yml;
# Docker copies this ownership into a new, empty named volume).
RUN groupadd --system --gid 1000 acompana \
    && useradd --system --uid 1000 --gid acompana --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin acompana \
    && mkdir -p /app/media /app/beat /app/h5p-store /app/private /app/static-volume /backups \
    && chown acompana:acompana /app/media /app/beat /app/h5p-store /app/private /app/static-volume \
        /backups

USER acompana

EXPOSE 8000

# Gunicorn reads its number of worker processes from WEB_CONCURRENCY (about 2 x CPU cores + 1;
# each one holds the whole Django app in memory), and its other settings from gunicorn.conf.py:
# the access log on standard output, with every secret in a URL (calendar feeds, password-reset
# and confirmation keys, invitations, H5P launches) replaced by "[redacted]".
#
# Plain HTTP only: TLS ends at a reverse proxy in front of this container, which must set
# X-Forwarded-Proto: https (and overwrite any value the client sent). Django trusts that header
# (SECURE_PROXY_SSL_HEADER in training/settings/production.py) and redirects every other request
# to https, except /healthz. Do not publish port 8000 to the internet directly.
ENV WEB_CONCURRENCY=3
CMD ["gunicorn", "--config", "/app/gunicorn.conf.py", "training.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--worker-tmp-dir", "/dev/shm"]
