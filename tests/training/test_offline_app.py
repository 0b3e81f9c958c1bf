"""The installable web app (training.offline): the service worker at the site's root, the
manifest with our own icons, the offline page, and the policy that lets them load."""

import json
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from PIL import Image

from training import offline

pytestmark = pytest.mark.django_db


def test_the_service_worker_is_served_at_the_root_for_the_whole_site(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"] and "max-age=0" in response["Cache-Control"]
    source = response.content.decode()
    assert "__ACOMPANA_" not in source  # every mark filled in
    assert f'var VERSION = "{offline.static_version()}";' in source
    assert 'var STATIC_URL = "/static/";' in source and 'var OFFLINE_URL = "/offline/";' in source


def test_the_workers_version_follows_the_static_files(settings):
    before = offline._static_version.__wrapped__()
    settings.STATIC_URL = "/static-2/"  # as a new hashed name would
    assert offline._static_version.__wrapped__() != before


def test_only_get_reaches_the_worker(client):
    assert client.post("/sw.js").status_code == 405


def test_the_manifest_names_the_app_its_colours_and_icons(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "Acompaña"
    assert manifest["display"] == "standalone"
    assert manifest["start_url"] == "/dashboard/" and manifest["scope"] == "/"
    css = Path(finders.find("css/site.css")).read_text(encoding="utf-8")
    assert f"--accent: {manifest['theme_color']}" in css
    assert f"--paper: {manifest['background_color']}" in css
    by_size = {icon["sizes"]: icon for icon in manifest["icons"] if icon["type"] == "image/png"}
    for size in ("192x192", "512x512"):
        name = by_size[size]["src"].removeprefix("/static/")
        with Image.open(finders.find(name)) as image:
            assert f"{image.width}x{image.height}" == size
    assert any(icon["type"] == "image/svg+xml" for icon in manifest["icons"])
    assert any(icon["purpose"] == "maskable" for icon in manifest["icons"])


def test_every_page_links_the_manifest_and_the_offline_script(client):
    body = client.get("/offline/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in body
    assert re.search(r'<script src="/static/js/offline.js" data-worker="/sw.js" defer>', body)


def test_the_offline_page_says_the_page_is_not_saved_in_the_readers_language(client):
    response = client.get("/offline/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "This page is not saved on this device" in response.content.decode()
    assert "no-cache" in response["Cache-Control"]


def test_the_policy_allows_our_own_worker_and_manifest_only(client):
    policy = client.get("/offline/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["worker-src"] == "'self'"
    assert directives["manifest-src"] == "'self'"
