"""Regression tests for the security and privacy review of the certification app.

Each test states the behaviour the platform's rules ask for. The ones marked xfail(strict=True)
document a finding of the review that is not fixed yet: fixing it makes the test pass, and
strict mode then fails the run until the marker is removed.
"""

import os
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from certificates import api, exports, services, tasks
from certificates.models import (
    Agreement,
    AgreementSignature,
    AgreementVersion,
    Certificate,
    CertificationRequest,
    PoolExport,
    PoolMember,
    Requirement,
    Track,
)
from tests.conftest import login_with_mfa
from training.factories import UserFactory
from training.roles import Role

from .factories import (
    add_requirement,
    join,
    make_agreement,
    make_certificate,
    make_cohort,
    make_track,
    person,
    publish_version,
)
from .pool_factories import certify, pool_person, pool_track

pytestmark = pytest.mark.django_db


def finding(number: int, text: str):
    """A review finding, fixed since: the test stays as its regression test."""

    def named(test):
        test.__doc__ = f"Review finding {number} (fixed): {text}"
        return test

    return named


# --- Helpers ------------------------------------------------------------------------------------
class _FormReader(HTMLParser):
    """The fields of a Wagtail edit form as a browser would submit them (enough for snippets)."""

    def __init__(self):
        super().__init__()
        self.data, self._textarea, self._select = {}, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.setdefault(name, a.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def _edit_form(client, url) -> dict:
    response = client.get(url)
    assert response.status_code == 200
    reader = _FormReader()
    reader.feed(response.content.decode())
    return {key: value.strip() if key.endswith("-text") else value
            for key, value in reader.data.items()}  # fmt: skip


def _version_index(data, version) -> str:
    key = next(k for k, v in data.items() if k.endswith("-id") and v == str(version.pk))
    return key.split("-")[1]


def _approval_request(volunteer):
    track = make_track(approval=Track.Approval.COORDINATOR)
    agreement = make_agreement()
    add_requirement(track, Requirement.Kind.AGREEMENT, agreement=agreement)
    join(make_cohort(track), volunteer)
    services.agreement_sign(user=volunteer, version=agreement.current_version())
    services.certification_evaluate(user=volunteer, track=track)
    return track, agreement, CertificationRequest.objects.get(user=volunteer, track=track)


# --- Bad input: a clear answer, never a 500 -----------------------------------------------------
def test_api_offset_out_of_range_is_not_a_500(client, coordinator):
    # Was a 500 (DataError: bigint out of range) at 6ceb176; f4b45a3 caps the offset.
    pool_person(pool_track(), name="Someone")
    _token, secret = api.token_create(user=coordinator, name="Helpdesk")
    client.raise_request_exception = False
    response = client.get(reverse("certificates:api_responders"),
                          {"offset": "99999999999999999999"},
                          HTTP_AUTHORIZATION=f"Bearer {secret}")  # fmt: skip
    assert response.status_code in (200, 400)


@finding(2, "a NUL byte in a verification code is a 500 on the public page")
def test_verify_with_a_nul_byte_is_refused_not_a_500(client):
    """Refused before the view (training.inputs): a 400, never a 500."""
    client.raise_request_exception = False
    assert client.get("/verify/A%00B/").status_code == 400


@finding(3, "ERRORS is translated once at import: Spanish users get English errors")
def test_certification_errors_are_translated(client):
    coordinator = UserFactory(email="coord.es@example.org", display_name="Coordinadora",
                              roles=[Role.COORDINATOR], preferred_language="es")  # fmt: skip
    track = make_track(slug="review-es")
    holder = person(display_name="Holder")
    certificate = make_certificate(holder, track)
    login_with_mfa(client, coordinator)
    url = reverse("certificates:revoke", args=[track.slug, holder.pk, certificate.code])
    client.post(url, {"reason": "Broke confidentiality", "confirm": "yes"}, follow=True)
    response = client.post(url, {"reason": "Again", "confirm": "yes"}, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["Este certificado ya está revocado."]


def test_an_empty_reason_comes_back_with_the_error_in_the_persons_language(client):
    coordinator = UserFactory(email="coord.es2@example.org", display_name="Coordinadora",
                              roles=[Role.COORDINATOR], preferred_language="es")  # fmt: skip
    track = make_track(slug="review-es-2")
    holder = person(display_name="Holder")
    certificate = make_certificate(holder, track)
    login_with_mfa(client, coordinator)
    url = reverse("certificates:revoke", args=[track.slug, holder.pk, certificate.code])
    response = client.post(url, {"reason": " "})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Este campo es obligatorio." in page, page[page.find('class="error') :][:300]
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


# --- Coordinators' decisions --------------------------------------------------------------------
@finding(4, "approving a pending request certifies someone who no longer meets the requirements")
def test_approving_a_request_checks_eligibility_again(volunteer, coordinator):
    _track, agreement, request = _approval_request(volunteer)
    publish_version(agreement, "New rules to read and sign.")
    with pytest.raises(services.CertificationError):
        services.request_decide(certification_request=request, by=coordinator, approve=True)
    assert not Certificate.objects.exists()


@finding(5, "approving a declined request issues a certificate but the request stays declined")
def test_approving_a_declined_request_marks_it_approved(volunteer, coordinator):
    _track, _agreement, request = _approval_request(volunteer)
    services.request_decide(
        certification_request=request, by=coordinator, approve=False, note="Not yet."
    )
    services.request_decide(certification_request=request, by=coordinator, approve=True)
    request.refresh_from_db()
    assert request.status == CertificationRequest.Status.APPROVED


@finding(6, "a note over 2000 characters is dropped silently and the decision is still made")
def test_a_too_long_note_changes_nothing(client, volunteer, coordinator):
    track, _agreement, request = _approval_request(volunteer)
    login_with_mfa(client, coordinator)
    url = reverse("certificates:decide", args=[track.slug, volunteer.pk, request.pk])
    client.post(url, {"decision": "approve", "note": "x" * 2001})
    request.refresh_from_db()
    assert request.status == CertificationRequest.Status.PENDING
    assert not Certificate.objects.exists()


@finding(7, "a POST without a decision declines the request")
def test_a_post_without_a_decision_decides_nothing(client, volunteer, coordinator):
    track, _agreement, request = _approval_request(volunteer)
    login_with_mfa(client, coordinator)
    url = reverse("certificates:decide", args=[track.slug, volunteer.pk, request.pk])
    client.post(url, {"note": "Thinking about it."})
    request.refresh_from_db()
    assert request.status == CertificationRequest.Status.PENDING


@finding(17, "MAX_LANGUAGES went from 6 to 4: saving the form drops a 5th and 6th language")
def test_saving_pool_details_keeps_every_language(client):
    member = pool_person(pool_track(), name="Polyglot", languages=(
        ("es", "native"), ("en", "fluent"), ("pt", "fluent"), ("fr", "working"),
        ("it", "working"), ("ca", "working")))  # fmt: skip
    client.force_login(member.user)
    page = client.get(reverse("certificates:pool"))
    form = page.context["form"]
    data = {"action": "save", "region": "Andes"}
    for name in form.fields:
        value = form[name].value()
        if name.startswith(("language_", "level_", "time_zone")):
            data[name] = value or ""
        elif name.startswith("share_") and value:
            data[name] = "on"
    client.post(reverse("certificates:pool"), data)
    member.refresh_from_db()
    assert member.region == "Andes"
    assert [item["code"] for item in member.languages] == ["es", "en", "pt", "fr", "it", "ca"]


# --- Consent and the pool -----------------------------------------------------------------------
@finding(8, "a deactivated account stays in the pool, the exports and the API")
def test_a_deactivated_account_leaves_the_pool(client, coordinator):
    member = pool_person(pool_track(), name="Deactivated", email="deactivated@example.org",
                         share_email=True, share_phone=True, share_other=True)  # fmt: skip
    member.user.is_active = False
    member.user.save()
    _token, secret = api.token_create(user=coordinator, name="Helpdesk")
    response = client.get(reverse("certificates:api_responders"),
                          HTTP_AUTHORIZATION=f"Bearer {secret}")  # fmt: skip
    assert response.json()["count"] == 0


@finding(9, "joining shares the profile's time zone before the person chose what to share")
def test_joining_shares_nothing_until_the_person_chooses(client, coordinator):
    joiner = person(display_name="Joiner", time_zone="Asia/Kolkata")
    certify(joiner, pool_track())
    client.force_login(joiner)
    client.post(reverse("certificates:pool"), {"action": "join"})
    client.logout()
    login_with_mfa(client, coordinator)
    page = client.get(reverse("certificates:pool_list")).content.decode()
    assert "Joiner" in page
    assert "Asia/Kolkata" not in page


@finding(10, "a legal name removed from the profile stays on the public verification page")
def test_a_removed_legal_name_leaves_the_verification_page(client):
    holder = person(display_name="Pseudonym", legal_name="María Legal Pérez")
    certificate = make_certificate(holder, make_track())
    services.certificate_set_name(certificate=certificate, choice=Certificate.Name.LEGAL)
    holder.legal_name = ""
    holder.save()
    page = client.get(reverse("verify", args=[certificate.code])).content.decode()
    assert "María Legal Pérez" not in page


# --- Retention ----------------------------------------------------------------------------------
@finding(11, "deleting an account leaves its certificate PDFs on disk")
def test_deleting_an_account_deletes_its_pdfs(volunteer, django_capture_on_commit_callbacks):
    certificate = make_certificate(volunteer, make_track())
    tasks.render_certificate.apply(args=[certificate.pk])
    certificate.refresh_from_db()
    path = certificate.pdf.path
    assert os.path.exists(path)
    with django_capture_on_commit_callbacks(execute=True):
        volunteer.delete()
    assert not os.path.exists(path)


@finding(12, "deleting the requester leaves the pool spreadsheet on disk, never purged")
def test_deleting_the_requester_deletes_the_spreadsheet(
    coordinator, django_capture_on_commit_callbacks
):
    pool_person(pool_track(), name="Someone")
    export = exports.xlsx_start(user=coordinator, filters={}, used={})
    exports.build_xlsx(export.pk)
    export.refresh_from_db()
    path = export.file.path
    with django_capture_on_commit_callbacks(execute=True):
        coordinator.delete()
    assert not PoolExport.objects.exists()
    assert not os.path.exists(path)


def test_a_spreadsheet_whose_export_went_while_it_was_built_leaves_no_file(
    coordinator, monkeypatch
):
    """The coordinator's account was deleted mid-build (their exports with it): no record would
    ever purge the file, so the build removes it."""
    pool_person(pool_track(), name="Someone")
    export = exports.xlsx_start(user=coordinator, filters={}, used={})
    add_subjects = exports.audit.add_subjects

    def export_deleted_meanwhile(entry, people):
        PoolExport.objects.filter(pk=export.pk).delete()
        return add_subjects(entry, people)

    monkeypatch.setattr(exports.audit, "add_subjects", export_deleted_meanwhile)
    assert exports.build_xlsx(export.pk) == "gone"
    assert not export.file.storage.exists(f"exports/pool-{export.pk}.xlsx")


# --- The Wagtail admin as coordinators use it ---------------------------------------------------
@finding(13, "deleting an agreement people signed is a 500 (ProtectedError)")
def test_deleting_a_signed_agreement_is_refused_clearly(client, coordinator):
    agreement = make_agreement()
    AgreementSignature.objects.create(user=person(), version=agreement.current_version())
    login_with_mfa(client, coordinator)
    client.raise_request_exception = False
    response = client.post(f"/admin/snippets/certificates/agreement/delete/{agreement.pk}/")
    assert response.status_code in (200, 302)
    assert Agreement.objects.filter(pk=agreement.pk).exists()


@finding(14, "deleting a track with certificates is a 500 (ProtectedError)")
def test_deleting_a_track_with_certificates_is_refused_clearly(client, coordinator):
    track = make_track()
    make_certificate(person(), track)
    login_with_mfa(client, coordinator)
    client.raise_request_exception = False
    response = client.post(f"/admin/snippets/certificates/track/delete/{track.pk}/")
    assert response.status_code in (200, 302)
    assert Track.objects.filter(pk=track.pk).exists()


@finding(15, "removing a signed version in the agreement editor is a 500 (ProtectedError)")
def test_removing_a_signed_version_is_refused_clearly(client, coordinator):
    agreement = make_agreement(versions=2)
    first = agreement.versions.get(number=1)
    AgreementSignature.objects.create(user=person(), version=first)
    login_with_mfa(client, coordinator)
    url = f"/admin/snippets/certificates/agreement/edit/{agreement.pk}/"
    data = _edit_form(client, url)
    data[f"versions-{_version_index(data, first)}-DELETE"] = "1"
    client.raise_request_exception = False
    assert client.post(url, data).status_code in (200, 302)
    assert AgreementVersion.objects.filter(pk=first.pk).exists()


@finding(16, "renumbering a signed version makes an old text current again")
def test_a_signed_version_cannot_be_renumbered(client, coordinator):
    agreement = make_agreement(versions=2)
    first = agreement.versions.get(number=1)
    AgreementSignature.objects.create(user=person(), version=first)
    login_with_mfa(client, coordinator)
    url = f"/admin/snippets/certificates/agreement/edit/{agreement.pk}/"
    data = _edit_form(client, url)
    data[f"versions-{_version_index(data, first)}-number"] = "3"
    client.post(url, data)
    first.refresh_from_db()
    assert first.number == 1
    assert agreement.current_version().number == 2


# --- What the review checked and found right (kept as regression tests) -------------------------
def test_a_coordinator_cannot_open_a_person_through_another_track(client, coordinator):
    track, other_track = make_track(), make_track()
    holder = person(display_name="Holder")
    certificate = make_certificate(holder, track)
    login_with_mfa(client, coordinator)
    assert client.get(reverse("certificates:track_person",
                              args=[other_track.slug, holder.pk])).status_code == 404  # fmt: skip
    assert client.get(reverse("certificates:person_pdf", args=[
        other_track.slug, holder.pk, certificate.code])).status_code == 404  # fmt: skip
    response = client.post(reverse("certificates:revoke", args=[
        other_track.slug, holder.pk, certificate.code]), {"reason": "Wrong track"})  # fmt: skip
    assert response.status_code == 404
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


@pytest.mark.parametrize("path", [
    "/admin/users/", "/admin/groups/", "/admin/h5p_statements/", "/admin/h5p_activities/",
    "/admin/forms/", "/admin/documents/", "/admin/images/", "/admin/snippets/courses/topic/",
    "/admin/reports/aging-pages/", "/admin/sites/", "/admin/collections/",
])  # fmt: skip
def test_coordinators_reach_no_other_admin_area(client, coordinator, path):
    login_with_mfa(client, coordinator)
    response = client.get(path)
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_the_pool_and_the_api_ignore_what_a_paused_or_private_person_keeps(client, coordinator):
    track = pool_track()
    pool_person(track, name="Private", email="private@example.org", share_languages=False,
                share_time_zone=False, share_availability=False, hours_per_week=20,
                time_zone="Asia/Kolkata", languages=(("ur", "native"),))  # fmt: skip
    _token, secret = api.token_create(user=coordinator, name="Helpdesk")
    url = reverse("certificates:api_responders")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    for filters in ({"language": "ur"}, {"tz_from": "5", "tz_to": "6"}, {"min_hours": "10"}):
        assert client.get(url, filters, **auth).json()["count"] == 0
    (row,) = client.get(url, **auth).json()["results"]
    assert row["languages"] is None and row["time_zone"] is None and row["email"] is None
    assert not PoolMember.objects.filter(share_email=True).exists()
