"""A NUL character, which PostgreSQL cannot store, is refused before any view (no 500)."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cohorts.models import Application
from courses.models import Reflection


@pytest.mark.parametrize(
    "url",
    ["/learn/%00/", "/cohorts/a%00b/", "/verify/AAAA%00/", "/?q=%00", "/cohorts/?language=e%00s"],
)
def test_a_nul_in_the_address_is_a_400_page_in_the_persons_language(client, db, url):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 400
    assert "No se pudo leer esta petición" in response.content.decode()


def test_a_nul_in_a_form_field_is_refused_and_nothing_is_saved(client, volunteer):
    client.force_login(volunteer)
    response = client.post("/cohorts/any/apply/", {"answer_1": "hola\x00"})
    assert response.status_code == 400
    assert not Application.objects.exists()


def test_a_nul_in_a_form_field_name_is_refused(client, volunteer):
    client.force_login(volunteer)
    assert client.post("/accounts/profile/", {"display\x00name": "x"}).status_code == 400


@pytest.mark.parametrize(
    "body", ['{"text": "a\\u0000b"}', '{"text": "a\\u0000"}', b'{"a": "\x00"}']
)
def test_a_nul_in_a_json_body_gets_the_json_refusal(client, volunteer, body):
    client.force_login(volunteer)
    response = client.post(
        "/learn/modules/1/h5p/x/xapi/", data=body, content_type="application/json",
        HTTP_ACCEPT="application/json",
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json() == {"ok": False, "error": "This could not be read.", "code": "malformed"}


def test_a_file_upload_may_hold_any_byte(client, volunteer):
    """Multipart file contents are not inspected (only their form fields are)."""
    client.force_login(volunteer)
    upload = SimpleUploadedFile("data.bin", b"\x00\x01\x02")
    response = client.post(reverse("profile"), {"file": upload})
    assert response.status_code != 400


def test_a_reflection_with_a_nul_never_reaches_the_database(client, volunteer):
    client.force_login(volunteer)
    response = client.post("/learn/modules/1/reflection/x/", {"text": "\x00"})
    assert response.status_code == 400
    assert not Reflection.objects.exists()


def test_ordinary_text_passes(client, db):
    assert client.get("/?q=" + json.dumps("ñandú")).status_code == 200
