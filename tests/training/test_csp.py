"""The Content-Security-Policy of the platform's pages, and the admin's door for non-editors.

The browser side (nothing is blocked, the scripts run) is tests/browser/test_csp.py.
"""

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from courses import services
from courses.factories import make_course
from courses.h5p.origin import content_security_policy
from tests.conftest import login_with_mfa, skip_or_fail
from tests.test_production import _fresh_database, _reachable, manage, production_env
from training.factories import UserFactory
from training.roles import Role

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
HEADER = "Content-Security-Policy"


def directives(response) -> dict[str, list[str]]:
    assert HEADER in response, f"no {HEADER} on {response.request['PATH_INFO']}"
    policy = {}
    for part in response[HEADER].split(";"):
        name, *values = part.split()
        policy[name] = values
    return policy


def assert_strict(policy, h5p_origin):
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]
    assert h5p_origin in policy["frame-src"]
    assert "'self'" not in policy["frame-src"]


class InlineCode(HTMLParser):
    """What a strict policy would block in a page: inline scripts and styles, handlers,
    javascript: URLs, style attributes."""

    def __init__(self):
        super().__init__()
        self.found = []
        self._inline_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name == "style":
                self.found.append(f"<{tag} style=…>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower(
            ).startswith("javascript:"):  # fmt: skip
                self.found.append(f"<{tag} {name}=javascript:…>")
        if tag == "style":
            self.found.append("<style>")
        # A JSON data block (json_script, allauth's onload data) is not executed.
        self._inline_script = (
            tag == "script"
            and "src" not in attributes
            and attributes.get("type") != "application/json"
        )

    def handle_endtag(self, tag):
        if tag == "script":
            self._inline_script = False

    def handle_data(self, data):
        if self._inline_script and data.strip():
            self.found.append(f"<script>{data.strip()[:60]}")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


@pytest.fixture
def module_and_learner(volunteer):
    course, modules = make_course("csp", modules=1)
    services.enrolment_create(user=volunteer, course=course)
    return modules[0], volunteer


# --- The header -------------------------------------------------------------------------------


def test_public_pages_carry_the_strict_policy(client, settings, module_and_learner):
    for url in ["/", reverse("account_login"), reverse("account_signup"), "/courses/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_strict(directives(response), settings.H5P_ORIGIN)


def test_signed_in_pages_carry_the_strict_policy(client, settings, module_and_learner):
    module, learner = module_and_learner
    client.force_login(learner)
    for url in [reverse("dashboard"), module.url, reverse("profile"), reverse("account_email")]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_strict(directives(response), settings.H5P_ORIGIN)


def test_frame_src_follows_the_h5p_origin_of_the_environment(client, settings):
    settings.H5P_ORIGIN = "https://h5p.elsewhere.example"
    policy = directives(client.get("/"))
    assert "https://h5p.elsewhere.example" in policy["frame-src"]


def test_the_admin_has_a_looser_policy_of_its_own(client, administrator, settings):
    login_with_mfa(client, administrator)
    response = client.get("/admin/")
    assert response.status_code == 200
    policy = directives(response)
    # Wagtail's templates carry inline scripts and styles; the rest stays as strict.
    assert policy["script-src"] == ["'self'", "'unsafe-inline'"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    # Its page previews frame admin URLs; nobody else may frame it.
    assert policy["frame-ancestors"] == ["'self'"]
    assert settings.H5P_ORIGIN in policy["frame-src"]


def test_the_h5p_origin_keeps_its_own_policy(client, settings):
    response = client.get("/h5p/player-relay.js", HTTP_HOST="h5p.testserver")
    assert response[HEADER] == content_security_policy()
    assert "frame-ancestors 'self' http://testserver" in response[HEADER]


def test_the_header_is_there_with_production_settings(tmp_path):
    """Production's middleware chain (WhiteNoise first) and H5P_ORIGIN, in a process of its own,
    on an empty PostgreSQL database (the pages asked for read no table)."""
    if not _reachable("127.0.0.1", 5432):
        skip_or_fail("PostgreSQL does not answer on 127.0.0.1:5432")
    probe = (
        "import json\n"
        "from django.test import Client, override_settings\n"
        # The manifest exists only after collectstatic; the policy does not depend on it.
        "plain = {'default': {'BACKEND': 'django.core.files.storage.FileSystemStorage'},"
        " 'staticfiles': {'BACKEND': 'django.contrib.staticfiles.storage.StaticFilesStorage'}}\n"
        "with override_settings(STORAGES=plain):\n"
        "    client = Client()\n"
        "    answers = {path: client.get(path, secure=True, HTTP_HOST='localhost')"
        " for path in ('/accounts/login/', '/admin/')}\n"
        "print(json.dumps({path: [r.status_code, r.headers.get('Content-Security-Policy')]"
        " for path, r in answers.items()}))\n"
    )
    with _fresh_database() as database_url:
        env = production_env(tmp_path, DATABASE_URL=database_url)
        result = manage(env, "shell", "-c", probe)
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout.strip().splitlines()[-1])
    status, policy = answers["/accounts/login/"]
    assert status == 200, result.stderr
    # django-csp orders directives by a set (it varies between processes): parse them.
    parsed = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert parsed["script-src"] == "'self'" and parsed["frame-ancestors"] == "'none'"
    assert env["H5P_ORIGIN"] in policy
    status, policy = answers["/admin/"]
    assert status == 302  # anonymous: to the sign-in page, with the admin's policy
    assert "script-src 'self' 'unsafe-inline'" in policy


# --- Nothing inline that the policy would block ---------------------------------------------------


def test_pages_have_no_inline_script_handler_or_style(client, module_and_learner):
    module, learner = module_and_learner
    pages = {url: client.get(url) for url in ["/", reverse("account_login"), "/courses/"]}
    client.force_login(learner)
    # A pending change of email shows allauth's hidden form (overridden: `hidden`, no style).
    EmailAddress.objects.create(user=learner, email="new@example.org", verified=False)
    for url in [reverse("dashboard"), module.url, reverse("profile"), reverse("account_email")]:
        pages[url] = client.get(url)
    assert 'id="pending-email"' in pages[reverse("account_email")].content.decode()
    for url, response in pages.items():
        assert response.status_code == 200, url
        assert inline_code(response.content.decode()) == [], url


def test_the_error_page_has_no_inline_style():
    assert inline_code(render_to_string("500.html")) == []


# The H5P player's pages are served by the H5P origin under its own policy (inline styles allowed
# there for the content types); PDFs never reach a browser.
# Not served by the platform: the H5P origin's player, PDFs, and the offline index.html of a
# "download my data" archive (a file in a ZIP, opened from disk, so its style is inline).
NOT_PLATFORM_PAGES = ("courses/h5p/player", "certificates/pdf/", "training/data_download/")
INLINE_IN_TEMPLATES = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>"
    r"|(?<![\w-])on[a-z]+\s*=\s*[\"']"
    r"|(?<![\w-])style\s*=\s*[\"']"
    r"|<style\b"
    r"|javascript:",
    re.IGNORECASE,
)


def test_no_template_has_inline_code():
    found = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        name = path.relative_to(ROOT / "templates").as_posix()
        if name.startswith(NOT_PLATFORM_PAGES):
            continue
        found += [f"{name}: {m.group(0)}" for m in INLINE_IN_TEMPLATES.finditer(path.read_text())]
    assert found == []


# --- The admin's door -----------------------------------------------------------------------------


def test_a_trainer_at_the_admin_gets_a_friendly_403_not_a_loop(client, trainer, settings):
    login_with_mfa(client, trainer)
    for url in ["/admin/", "/admin/pages/", "/admin/login/?next=/admin/"]:
        response = client.get(url)
        assert response.status_code == 403, url
        body = response.content.decode()
        assert "The editors' admin is not open to you" in body
        assert f'href="{reverse("dashboard")}"' in body
        assert directives(response)["frame-ancestors"] == ["'self'"]


def test_the_admin_403_speaks_the_persons_language(client, trainer):
    trainer.preferred_language = "es"
    trainer.save(update_fields=["preferred_language"])
    login_with_mfa(client, trainer)
    body = client.get("/admin/").content.decode()
    with translation.override("es"):
        expected = translation.gettext("Go to your dashboard")
    assert expected != "Go to your dashboard"
    assert expected in body


def test_anonymous_visitors_still_go_to_the_sign_in_page(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/admin/"


def test_editors_still_reach_the_admin(client, administrator):
    editor = UserFactory(roles=[Role.EDITOR])
    for person in (administrator, editor):
        login_with_mfa(client, person)
        assert client.get("/admin/").status_code == 200
        client.logout()


def test_the_sign_in_page_does_not_send_a_signed_in_trainer_back_into_a_loop(client, trainer):
    """Following every redirect from /admin/ ends on the 403, not in a cycle."""
    login_with_mfa(client, trainer)
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    assert len(response.redirect_chain) == 0
