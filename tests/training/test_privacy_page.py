"""The public privacy page (/privacy/), generated from the privacy registry."""

import dataclasses
import itertools
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from training import privacy
from training.privacy_views import anchor

pytestmark = pytest.mark.django_db


def _shown():
    return [d for _category, items in privacy.by_category() for d in items if d.on_privacy_page]


def test_anyone_can_read_it_and_it_lists_every_declaration(client):
    response = client.get(reverse("privacy"))
    assert response.status_code == 200
    body = response.content.decode()
    shown = _shown()
    assert len(shown) > 20
    for declaration in shown:
        assert f'id="{anchor(declaration)}"' in body, declaration.model
        assert escape(str(declaration.holds)) in body, declaration.model
        # Each kind of data headed by its short title (not the model's name).
        heading = f'<h3 id="{anchor(declaration)}-title">{escape(str(declaration.title))}</h3>'
        assert heading in body, declaration.model
    for category, _items in privacy.by_category():
        assert f'id="privacy-{category.key}"' in body
    assert 'id="data-training-auditsubject"' in body  # who an export included: on the page too
    # The way to download and to delete, and where to ask.
    assert reverse("account_data") in body
    assert reverse("account_delete") in body
    assert 'id="privacy-contact"' in body


def test_it_says_how_long_from_the_settings(client, settings):
    settings.ACOMPANA_AUDIT_LOG_DAYS = 123
    body = client.get(reverse("privacy")).content.decode()
    assert "123 days" in body


def test_its_headings_are_in_order(client):
    body = client.get(reverse("privacy")).content.decode()
    main = body[body.index('<main id="main"') :]
    levels = [int(level) for level in re.findall(r"<h([1-6])[\s>]", main)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels))


def test_it_reads_no_more_queries_whatever_the_registry_holds(client, monkeypatch):
    def count_with(extra: int) -> int:
        registry = dict(privacy.REGISTRY)
        base = privacy.REGISTRY["courses.QuizAttempt"]
        for i in range(extra):
            fake = dataclasses.replace(base, model=f"courses.Fake{i}")
            registry[fake.model] = fake
        monkeypatch.setattr(privacy, "REGISTRY", registry)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("privacy"))
        assert response.status_code == 200
        assert response.content.decode().count('class="card privacy-item"') == len(_shown())
        return [query["sql"] for query in queries.captured_queries]

    small, large = count_with(1), count_with(200)
    assert len(small) == len(large)
    assert small == [], small


def test_a_signed_in_person_reads_it_too(client, volunteer):
    client.force_login(volunteer)
    response = client.get(reverse("privacy"))
    assert response.status_code == 200
    assert volunteer.email not in response.content.decode()


@pytest.mark.parametrize("code", [code for code, _name in settings.LANGUAGES])
def test_it_renders_in_every_interface_language(client, code):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = code
    response = client.get(reverse("privacy"))
    assert response.status_code == 200
    assert f'<html lang="{code}"' in response.content.decode()


def test_the_footer_and_the_sign_up_page_link_to_it(client):
    url = reverse("privacy")
    assert f'href="{url}"' in client.get("/").content.decode()
    signup = client.get(reverse("account_signup")).content.decode()
    assert 'id="signup-privacy"' in signup
    assert f'href="{url}"' in signup


def test_it_shows_where_to_ask_when_the_setting_is_set(client, settings):
    settings.ACOMPANA_PRIVACY_CONTACT = ""
    assert "data-privacy-contact" not in client.get(reverse("privacy")).content.decode()
    settings.ACOMPANA_PRIVACY_CONTACT = "privacy@example.org"
    assert 'href="mailto:privacy@example.org"' in client.get(reverse("privacy")).content.decode()
    settings.ACOMPANA_PRIVACY_CONTACT = "https://example.org/privacy"
    assert 'href="https://example.org/privacy"' in client.get(reverse("privacy")).content.decode()
    settings.ACOMPANA_PRIVACY_CONTACT = "javascript:alert(1)"
    assert "data-privacy-contact" not in client.get(reverse("privacy")).content.decode()


def test_the_profile_link_is_shown_to_signed_in_people_only(client, volunteer):
    profile = f'href="{reverse("profile")}"'
    body = client.get(reverse("privacy")).content.decode()
    assert profile not in body[body.index('id="privacy-contact"') :]
    client.force_login(volunteer)
    body = client.get(reverse("privacy")).content.decode()
    assert profile in body[body.index('id="privacy-contact"') :]


def test_the_audit_log_says_coordinators_see_the_pools_part(client):
    body = client.get(reverse("privacy")).content.decode()
    for model in ("training.AuditEntry", "training.AuditSubject"):
        seen_by = str(privacy.REGISTRY[model].seen_by)
        assert escape(seen_by) in body
        assert "only" not in seen_by.lower()
