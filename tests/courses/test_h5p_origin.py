"""H5P runs on its own origin: no cookies there, strict headers, nothing of the platform."""

from pathlib import Path
from pathlib import Path as P

import pytest

from courses.h5p.services import h5p_library_review
from courses.h5p.xapi import player_launch
from courses.models import H5PLibrary
from tests.h5p_factory import H5P_JSON, LIBRARY, package
from tests.helpers import H5P_HOST, h5p_activity, h5p_get

pytestmark = pytest.mark.django_db
# A package built here (no outside files) with the true-or-false sample's main library: the
# origin's rules do not depend on what the library does.
TRUE_FALSE = package(
    h5p={**H5P_JSON, "title": "TF", "mainLibrary": "H5P.TrueFalse", "preloadedDependencies": [
        {"machineName": "H5P.TrueFalse", "majorVersion": 1, "minorVersion": 6}]},
    library={**LIBRARY, "title": "True/False", "machineName": "H5P.TrueFalse",
             "minorVersion": 6, "patchVersion": 1},
    folder="H5P.TrueFalse-1.6",
)  # fmt: skip


@pytest.fixture
def activity():
    """The true/false sample, its libraries approved (nothing else plays)."""
    return h5p_activity(TRUE_FALSE, title="TF")


@pytest.fixture
def base(activity, administrator):
    """The player's signed base URL, as a previewing administrator's module page makes it."""
    launch = player_launch(user=administrator, module_id=1, activity_uuid=activity.uuid,
                           preview=True)  # fmt: skip
    return f"/h5p/play/{activity.uuid}/{launch}"


def test_the_player_and_the_content_are_served_with_strict_headers(client, activity, base):
    player = h5p_get(client, f"{base}/")
    assert player.status_code == 200
    csp = player["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'self' http://testserver" in csp
    # No inline script runs on this origin (the player plays in the page, from files only).
    assert "script-src 'self';" in csp and "script-src 'self' 'unsafe-inline'" not in csp
    assert player["X-Content-Type-Options"] == "nosniff"
    assert h5p_get(client, f"{base}/h5p.json").json()["mainLibrary"] == "H5P.TrueFalse"
    content = h5p_get(client, f"{base}/content/content.json")
    assert content.status_code == 200
    library = h5p_get(client, f"/h5p/play/{activity.uuid}/libraries/H5P.TrueFalse-1.6/library.json")
    assert library.status_code == 200
    assert b"".join(library.streaming_content).startswith(b"{")


def test_the_h5p_origin_never_sets_or_reads_cookies(client, base, volunteer):
    client.force_login(volunteer)  # the browser sends the platform's session cookie along
    response = h5p_get(client, f"{base}/")
    assert response.status_code == 200
    assert not response.cookies
    assert "Set-Cookie" not in response


@pytest.mark.parametrize("path", ["/", "/dashboard/", "/accounts/login/", "/admin/", "/healthz",
                                  "/learn/modules/1/done/"])  # fmt: skip
def test_nothing_of_the_platform_exists_on_the_h5p_origin(client, path):
    assert h5p_get(client, path).status_code == 404


def test_the_h5p_origin_takes_no_posts(client, base):
    response = client.post(f"{base}/", HTTP_HOST=H5P_HOST)
    assert response.status_code == 405


@pytest.mark.parametrize(
    "relative",
    [
        "content/../../../../etc/passwd",
        "content/%2e%2e/%2e%2e/h5p.json",
        "libraries/H5P.TrueFalse-1.6/../../../settings.py",
        "libraries/H5P.Unknown-1.0/library.json",
        "libraries/..%2f..%2f/library.json",
    ],
)
def test_paths_outside_an_activity_are_not_served(client, activity, base, relative):
    assert h5p_get(client, f"/h5p/play/{activity.uuid}/{relative}").status_code == 404
    assert h5p_get(client, f"{base}/{relative}").status_code == 404


@pytest.mark.parametrize("path", ["/h5p/player/a%00b.js", "/h5p/player/" + "a" * 300 + ".js"])
def test_an_impossible_file_name_on_the_h5p_origin_is_a_404_not_a_500(client, path):
    """Anonymous requests: a NUL byte or an over-long name makes the file system raise."""
    client.raise_request_exception = False
    assert h5p_get(client, path).status_code == 404


def test_h5p_paths_do_not_exist_on_the_platform_host(client, base):
    assert client.get(f"{base}/").status_code == 404


def test_an_activity_that_is_not_ready_is_not_played(client, activity, base):
    activity.status = "failed"
    activity.save()
    assert h5p_get(client, f"{base}/").status_code == 404


def test_the_pinned_player_is_served_from_node_modules(client, settings):
    if not (Path(settings.H5P_PLAYER_DIR) / "main.bundle.js").exists():
        pytest.fail("h5p-standalone is not installed: run `make` (npm ci)")
    response = h5p_get(client, "/h5p/player/main.bundle.js")
    assert response.status_code == 200
    assert response["Content-Type"] in ("text/javascript", "application/javascript")


def test_nothing_of_a_package_is_reachable_on_the_platform_host(client, activity, settings):
    """Not through /media/ either: the store lives outside MEDIA_ROOT."""

    root = P(settings.ACOMPANA_H5P_ROOT).resolve()
    assert not root.is_relative_to(P(settings.MEDIA_ROOT).resolve())
    stored = next(p for p in root.rglob("*.json") if p.is_file())
    relative = stored.relative_to(root)
    for url in (f"/media/{relative}", f"/media/h5p/{relative}", f"/media/{activity.package.name}"):
        assert client.get(url).status_code == 404, url


def test_rejecting_a_library_stops_every_activity_that_uses_it(
    client, activity, base, administrator
):
    assert h5p_get(client, f"{base}/").status_code == 200
    library = H5PLibrary.objects.get(machine_name="H5P.TrueFalse")
    h5p_library_review(library=library, user=administrator, approve=False)
    assert h5p_get(client, f"{base}/").status_code == 404
    library_url = f"/h5p/play/{activity.uuid}/libraries/H5P.TrueFalse-1.6/library.json"
    assert h5p_get(client, library_url).status_code == 404
