"""Certification in the privacy registry (certificates/personal_data.py): each export holds the
person's rows and files and nothing of anyone else (others by display name at most), each erase
does what its declaration says (a certificate stays, withdrawn, naming nobody, without its PDF),
asking for a deletion leaves the pool at once, and the verification page of a withdrawn
certificate says it is no longer valid without naming anyone."""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from certificates import pool, services, tasks
from certificates.models import (
    AgreementSignature,
    ApiToken,
    Certificate,
    CertificationEvent,
    CertificationRequest,
    EligibilitySnapshot,
    PoolExport,
    PoolMember,
    Requirement,
    RequirementException,
    token_hash,
)
from tests.conftest import login_with_mfa
from tests.helpers import anonymise_by_hand, erase_declared
from training import privacy
from training.factories import UserFactory
from training.models import FORMER_MEMBER_LABEL
from training.roles import Role

from .factories import add_requirement, join, make_agreement, make_certificate, make_cohort
from .factories import make_track as _make_track
from .pool_factories import PoolMemberFactory, certify, pool_person, pool_track

pytestmark = pytest.mark.django_db

CERTIFICATE_DECLARATIONS = [
    "certificates.AgreementSignature", "certificates.RequirementException",
    "certificates.Certificate", "certificates.CertificationRequest",
    "certificates.EligibilitySnapshot", "certificates.CertificationEvent",
    "certificates.PoolMember", "certificates.PoolExport", "certificates.ApiToken",
]  # fmt: skip
PDF = b"%PDF-1.4 a test certificate"


def export(person) -> dict[str, list[dict]]:
    return {
        label: privacy.REGISTRY[label].export_rows(person) for label in CERTIFICATE_DECLARATIONS
    }


def with_pdf(certificate: Certificate) -> Certificate:
    certificate.pdf.save(f"certificates/{certificate.code}-test.pdf", ContentFile(PDF), save=False)
    certificate.pdf_status = Certificate.Pdf.READY
    certificate.save(update_fields=["pdf", "pdf_status"])
    return certificate


def the_persons_certification(person, track, coordinator, *, words: str) -> Certificate:
    """Data about `person` in every certification table, each free text holding `words`."""
    agreement = make_agreement(title=f"Code of conduct {words}")
    requirement = add_requirement(track, Requirement.Kind.AGREEMENT, agreement=agreement)
    AgreementSignature.objects.create(user=person, version=agreement.current_version(),
                                      language="es")  # fmt: skip
    RequirementException.objects.create(user=person, requirement=requirement,
                                        reason=f"Exception reason about {words}",
                                        granted_by=coordinator)  # fmt: skip
    certificate = with_pdf(
        make_certificate(
            person, track, name_on_certificate=f"{words} Legal", approved_by=coordinator
        )
    )
    CertificationRequest.objects.create(user=person, track=track, period=2, decided_by=coordinator,
                                        note=f"Request note about {words}")  # fmt: skip
    EligibilitySnapshot.objects.create(user=person, track=track, path="renewal", met=1, total=2,
                                       eligible=False)  # fmt: skip
    CertificationEvent.objects.create(user=person, track=track, certificate=certificate,
                                      kind=CertificationEvent.Kind.DECLINED, actor=coordinator,
                                      note=f"Event note about {words}")  # fmt: skip
    PoolMemberFactory(user=person, region=f"Region of {words}", contact_phone=f"+34 600 {words}",
                      share_email=True, share_phone=True, share_other=True)  # fmt: skip
    return certificate


@pytest.fixture
def coordinator_person():
    return UserFactory(display_name="Coordinadora", email="coord.private@example.org",
                       roles=[Role.COORDINATOR])  # fmt: skip


@pytest.fixture
def world(coordinator_person):
    track = _make_track(title="Peer supporter", grants_pool=True)
    alba = UserFactory(display_name="Alba", email="alba@example.org", legal_name="Alba Legal")
    bea = UserFactory(display_name="Bea", email="bea.private@example.org")
    alba_certificate = the_persons_certification(alba, track, coordinator_person, words="ALBA")
    bea_certificate = the_persons_certification(bea, track, coordinator_person, words="BEATRIZ")
    return {"track": track, "alba": alba, "bea": bea, "coordinator": coordinator_person,
            "alba_certificate": alba_certificate, "bea_certificate": bea_certificate}  # fmt: skip


# --- Export -------------------------------------------------------------------------------------
def test_the_export_holds_the_persons_rows_and_nobody_elses(world):
    alba, certificate = world["alba"], world["alba_certificate"]
    exported = export(alba)
    text = json.dumps(exported, ensure_ascii=False)

    assert len(exported["certificates.AgreementSignature"]) == 1
    (exception,) = exported["certificates.RequirementException"]
    assert (exception["reason"], exception["granted_by"]) == (
        "Exception reason about ALBA", "Coordinadora",
    )  # fmt: skip
    (exported_certificate,) = exported["certificates.Certificate"]
    assert exported_certificate["code"] == certificate.code
    assert exported_certificate["name_on_certificate"] == "ALBA Legal"
    assert exported_certificate["approved_by"] == "Coordinadora"
    assert exported_certificate["pdf"] == f"certificates/{certificate.code}.pdf"
    assert exported["certificates.CertificationRequest"][0]["note"] == "Request note about ALBA"
    assert exported["certificates.EligibilitySnapshot"][0]["requirements_met"] == 1
    (event,) = exported["certificates.CertificationEvent"]
    assert (event["kind"], event["by"], event["note"]) == (
        "declined", "Coordinadora", "Event note about ALBA",
    )  # fmt: skip
    (member,) = exported["certificates.PoolMember"]
    assert member["contact_phone"] == "+34 600 ALBA"
    shared = member["shared_with_coordinators"]
    assert (shared["email"], shared["phone"], shared["other_contact"]) == (True, True, True)
    assert exported["certificates.PoolExport"] == exported["certificates.ApiToken"] == []
    # Nobody else's: Bea's texts and certificate, the coordinator's address.
    for foreign in ("BEATRIZ", world["bea_certificate"].code, "bea.private@example.org",
                    "coord.private@example.org"):  # fmt: skip
        assert foreign not in text, foreign


def test_the_export_gives_the_certificate_pdfs_by_their_code(world):
    certificate = world["alba_certificate"]
    declaration = privacy.REGISTRY["certificates.Certificate"]
    files = list(declaration.files(world["alba"]))
    assert [name for name, _file in files] == [f"certificates/{certificate.code}.pdf"]
    with files[0][1].open("rb") as pdf:
        assert pdf.read() == PDF


def test_a_coordinators_export_holds_their_exports_and_tokens_without_the_people(world):
    coordinator = world["coordinator"]
    PoolExport.objects.create(requested_by=coordinator, filters={"language": "es"}, total=2,
                              status=PoolExport.Status.READY,
                              expires_at=timezone.now() + timedelta(hours=1))  # fmt: skip
    ApiToken.objects.create(user=coordinator, name="Helpdesk", prefix="abcd1234",
                            key_hash=token_hash("secret"))  # fmt: skip
    exported = export(coordinator)
    text = json.dumps(exported, ensure_ascii=False)
    assert exported["certificates.PoolExport"][0]["filters"] == {"language": "es"}
    assert exported["certificates.ApiToken"][0]["name"] == "Helpdesk"
    assert token_hash("secret") not in text
    # What they did to others is theirs to see only as "what": never the others' data.
    assert "ALBA" not in text and "BEATRIZ" not in text
    assert exported["certificates.Certificate"] == []


# --- Erase --------------------------------------------------------------------------------------
def test_erasing_withdraws_the_certificate_naming_nobody_and_deletes_its_pdf(
    world, django_capture_on_commit_callbacks
):
    alba, certificate = world["alba"], world["alba_certificate"]
    storage, name = certificate.pdf.storage, certificate.pdf.name
    assert storage.exists(name)
    mail.outbox = []

    with django_capture_on_commit_callbacks(execute=True):
        erase_declared(alba, "certificates")

    certificate.refresh_from_db()
    assert certificate.withdrawn and certificate.state() == "revoked"
    assert certificate.revoked_by is None
    assert certificate.name_on_certificate == ""
    assert not certificate.pdf and not storage.exists(name)
    # The coordinators' history says it was revoked, with no note; no message went out.
    revoked = CertificationEvent.objects.get(certificate=certificate, kind="revoked")
    assert (revoked.note, revoked.actor) == ("", None)
    assert mail.outbox == []
    # Bea's certificate and file are untouched.
    bea_certificate = world["bea_certificate"]
    bea_certificate.refresh_from_db()
    assert not bea_certificate.revoked_at and storage.exists(bea_certificate.pdf.name)


def test_erasing_deletes_personal_rows_and_blanks_the_notes_kept(world):
    alba, bea = world["alba"], world["bea"]
    erase_declared(alba, "certificates")

    for model in (AgreementSignature, CertificationRequest, EligibilitySnapshot, PoolMember):
        assert not model.objects.filter(user=alba).exists(), model
        assert model.objects.filter(user=bea).exists(), model
    # Kept for coordinators' records, without what was written about her.
    assert list(
        RequirementException.objects.filter(user=alba).values_list("reason", flat=True)
    ) == [""]
    assert set(CertificationEvent.objects.filter(user=alba).values_list("note", flat=True)) == {""}
    assert RequirementException.objects.get(user=bea).reason == "Exception reason about BEATRIZ"
    assert CertificationEvent.objects.get(user=bea).note == "Event note about BEATRIZ"


def test_erasing_is_safe_to_run_twice(world):
    erase_declared(world["alba"], "certificates")
    erase_declared(world["alba"], "certificates")
    certificate = Certificate.objects.get(user=world["alba"])
    assert certificate.withdrawn
    assert CertificationEvent.objects.filter(certificate=certificate, kind="revoked").count() == 1


def test_erasing_a_certificate_revoked_earlier_forgets_the_coordinators_reason(world, coordinator):
    certificate = world["alba_certificate"]
    services.certificate_revoke(
        certificate=certificate, by=coordinator, reason="Shared a case.", notify=False
    )
    erase_declared(world["alba"], "certificates")
    certificate.refresh_from_db()
    assert certificate.withdrawn and certificate.revoked_by == coordinator
    assert "Shared a case." not in json.dumps(export(world["alba"]))


def test_erasing_a_coordinator_deletes_their_exports_files_and_tokens(
    world, django_capture_on_commit_callbacks
):
    coordinator = world["coordinator"]
    spreadsheet = PoolExport(requested_by=coordinator, expires_at=timezone.now())
    spreadsheet.file.save("exports/test.xlsx", ContentFile(b"cells"), save=False)
    spreadsheet.save()
    storage, name = spreadsheet.file.storage, spreadsheet.file.name
    ApiToken.objects.create(user=coordinator, name="Helpdesk", prefix="abcd1234",
                            key_hash=token_hash("secret"))  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        erase_declared(coordinator, "certificates")

    assert not PoolExport.objects.exists() and not storage.exists(name)
    assert not ApiToken.objects.exists()
    # What they decided about others stays, by them ("Former member" once anonymised).
    assert RequirementException.objects.filter(granted_by=coordinator).count() == 2
    assert Certificate.objects.filter(approved_by=coordinator).count() == 2


def test_a_withdrawn_certificate_is_never_rendered_or_renamed_again(world, coordinator):
    alba, certificate = world["alba"], world["alba_certificate"]
    erase_declared(alba, "certificates")
    anonymise_by_hand(alba)  # the profile's names changed: certificates would follow them
    certificate.refresh_from_db()
    assert certificate.name_on_certificate == "" and not certificate.pdf
    assert services.certificate_pdf_queue(certificate_id=certificate.pk) is False
    assert tasks.render_certificate.apply(args=[certificate.pk]).get() == "gone"


# --- Suspend: asking for the deletion leaves the pool at once -----------------------------------
def test_suspending_leaves_the_pool_at_once(django_capture_on_commit_callbacks):
    track = pool_track()
    member = pool_person(track, name="Alba")
    other = pool_person(track, name="Bea")
    assert set(pool.members().values_list("user__display_name", flat=True)) == {"Alba", "Bea"}
    mail.outbox = []

    with django_capture_on_commit_callbacks(execute=True):
        assert privacy.REGISTRY["certificates.PoolMember"].suspend(member.user) == {"pool": True}

    member.refresh_from_db()
    assert member.status == PoolMember.Status.LEFT and member.left_at is not None
    assert list(pool.members().values_list("user", flat=True)) == [other.user_id]
    assert mail.outbox == []
    # Nothing more to do for someone not in the pool.
    assert privacy.REGISTRY["certificates.PoolMember"].suspend(member.user) == {"pool": False}


def test_a_former_member_never_appears_in_the_pool_list_exports_or_api(client, coordinator):
    track = pool_track()
    gone = pool_person(
        track,
        name="Alba Gone",
        email="gone@example.org",
        share_email=True,
        share_phone=True,
        share_other=True,
    )
    pool_person(track, name="Bea")
    anonymise_by_hand(gone.user)  # still "active", still in the pool: only anonymised_at says
    login_with_mfa(client, coordinator)

    page = client.get(reverse("certificates:pool_list"))
    names = [row["display_name"] for _member, row, _languages in page.context["rows"]]
    assert names == ["Bea"]
    exported = client.post(reverse("certificates:export_csv"))
    body = b"".join(exported.streaming_content).decode() if exported.streaming else ""
    body = body or exported.content.decode()
    assert "Bea" in body and str(FORMER_MEMBER_LABEL) not in body and "deleted" not in body


# --- The verification page, and coordinators' pages, after a deletion ---------------------------
def test_the_verification_page_says_no_longer_valid_and_names_nobody(client, world):
    alba, certificate = world["alba"], world["alba_certificate"]
    url = reverse("verify", args=[certificate.code])
    assert "ALBA Legal" in client.get(url).content.decode()  # before: the name shows

    erase_declared(alba, "certificates")
    anonymise_by_hand(alba)
    response = client.get(url)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-state="withdrawn"' in page
    assert "✓" not in page
    for name in ("ALBA Legal", "Alba", str(FORMER_MEMBER_LABEL), "alba@example.org"):
        assert name not in page, name
    assert certificate.code in page and "Peer supporter" in page
    # A certificate revoked by a coordinator still reads "revoked", with its name.
    bea_url = reverse("verify", args=[world["bea_certificate"].code])
    assert 'data-state="valid"' in client.get(bea_url).content.decode()


def test_coordinators_see_former_member_and_the_withdrawal(client, coordinator):
    track = _make_track(title="Peer supporter")
    cohort = make_cohort(track)
    alba = UserFactory(display_name="Alba Vidal", email="alba.vidal@example.org")
    join(cohort, alba)
    certificate = certify(alba, track)
    CertificationEvent.objects.create(user=alba, track=track, kind="eligible")
    erase_declared(alba, "certificates")
    anonymise_by_hand(alba)
    login_with_mfa(client, coordinator)

    response = client.get(reverse("certificates:track_person", args=[track.slug, alba.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert str(FORMER_MEMBER_LABEL) in page and "data-withdrawn" in page
    assert "Alba Vidal" not in page and "alba.vidal@example.org" not in page
    assert "\x01" not in page and certificate.code in page


def test_a_deleted_coordinators_acts_show_as_former_member(client, coordinator):
    track = _make_track(title="Peer supporter")
    departed = UserFactory(display_name="Coordinadora Ana", email="ana.private@example.org",
                           roles=[Role.COORDINATOR])  # fmt: skip
    bea = UserFactory(display_name="Bea Ruiz")
    certificate = make_certificate(bea, track, approved_by=departed)
    CertificationEvent.objects.create(
        user=bea, track=track, certificate=certificate, kind="approved", actor=departed,
        note="All in order.",
    )  # fmt: skip
    erase_declared(departed, "certificates")
    anonymise_by_hand(departed)
    login_with_mfa(client, coordinator)

    page = client.get(reverse("certificates:track_person", args=[track.slug, bea.pk]))

    text = page.content.decode()
    assert "Bea Ruiz" in text and str(FORMER_MEMBER_LABEL) in text
    assert "Coordinadora Ana" not in text and "ana.private@example.org" not in text
    # Bea's own record is hers: the departed coordinator's note about her stays.
    assert "All in order." in text
