"""The calendar page: the new private address can be copied with a button (its status says
"Copied") and followed with one tap in a calendar app (a webcal: link to the same address)."""

import re

import pytest
from django.urls import reverse

from training.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_new_address_has_a_copy_button_and_a_webcal_link(client):
    client.force_login(UserFactory())
    body = client.post(reverse("cohorts:calendar")).content.decode()
    address = re.search(r'id="calendar-address" readonly value="(http://testserver/[^"]+\.ics)"',
                        body).group(1)  # fmt: skip
    token_path = address.removeprefix("http://")
    assert f'href="webcal://{token_path}"' in body
    assert "Subscribe in your calendar app" in body
    assert 'data-copy="calendar-address"' in body and 'data-copied="Copied"' in body
    assert 'class="copy-status" role="status"' in body


def test_without_a_new_address_there_is_nothing_to_copy_or_follow(client):
    client.force_login(UserFactory())
    body = client.get(reverse("cohorts:calendar")).content.decode()
    assert "webcal://" not in body and "data-copy=" not in body
