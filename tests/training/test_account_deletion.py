"""Delete my account: what the page says (from the registry), re-authentication, the grace period
and its cancellation by signing in, the erasure through the registry (nothing naming the person
left in any text column, no file left), the tombstone, and an administrator's deletion."""

import re
import uuid
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, models
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.users.models import UserProfile

from certificates.models import (
    AgreementSignature,
    ApiToken,
    CertificationEvent,
    CertificationRequest,
    EligibilitySnapshot,
    PoolMember,
    RequirementException,
)
from cohorts.models import (
    Application,
    CalendarFeed,
    CohortInvitation,
    Membership,
    ScreeningQuestion,
    SkillSignOff,
)
from courses.factories import block_id, make_course
from courses.models import (
    ActivityCompletion,
    CourseProgress,
    Enrolment,
    H5PActivity,
    H5PState,
    H5PStatement,
    ModuleProgress,
    QuizAttempt,
    Reflection,
)
from tests.certificates.factories import (
    AgreementRequirementFactory,
    join,
    make_agreement,
    make_certificate,
    make_cohort,
    make_session,
    make_skill,
    make_track,
    mark,
)
from tests.certificates.pool_factories import PoolMemberFactory
from tests.conftest import enrol_totp, login_with_mfa
from training import audit, privacy
from training.deletion import account_deletion_cancel, account_deletion_request, account_erase
from training.factories import UserFactory
from training.models import (
    FORMER_MEMBER,
    AccountDeletion,
    AuditEntry,
    NotificationLog,
    NotificationOptOut,
    User,
)
from training.notifications import send
from training.roles import Role
from training.tasks import perform_due_deletions

pytestmark = pytest.mark.django_db

DELETE = "/accounts/delete/"


def _totp(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(iter(yield_hotp_counters_from_time()))))


def _make_due(deletion: AccountDeletion) -> None:
    AccountDeletion.objects.filter(pk=deletion.pk).update(
        due_at=timezone.now() - timedelta(minutes=1)
    )


def _session_keys_of(user) -> list[str]:
    return [
        s.session_key
        for s in Session.objects.all()
        if str(s.get_decoded().get("_auth_user_id")) == str(user.pk)
    ]


# --- The page -----------------------------------------------------------------------------------
def test_the_page_says_what_is_deleted_and_what_is_kept_from_the_registry(client, volunteer):
    client.force_login(volunteer)
    response = client.get(DELETE)
    assert response.status_code == 200
    body = response.content.decode()
    assert reverse("account_data") in body  # download first
    for category, declarations in privacy.by_category_for(volunteer):
        shown = [d for d in declarations if d.on_privacy_page]
        if not shown:
            continue
        assert f'data-category="{category.key}"' in body
        for declaration in shown:
            assert str(declaration.holds) in body.replace("&#x27;", "'").replace("&quot;", '"')
            if declaration.keeps and declaration.kept_because:
                text = body.replace("&#x27;", "'").replace("&quot;", '"')
                assert str(declaration.kept_because) in text
    assert 'data-erase="delete"' in body and 'data-erase="keep"' in body
    assert 'id="account-delete-form"' in body
    assert 'name="password"' in body and 'name="code"' not in body


def test_the_profile_links_to_the_page(client, volunteer):
    client.force_login(volunteer)
    assert reverse("account_delete") in client.get(reverse("profile")).content.decode()


def test_the_page_needs_a_signed_in_person(client):
    response = client.get(DELETE)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


# --- Re-authentication --------------------------------------------------------------------------
def test_a_wrong_password_is_refused_and_nothing_happens(client, volunteer):
    client.force_login(volunteer)
    response = client.post(DELETE, {"password": "not my password"})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_password_error"' in body
    # Said at the top of the page too, where the person is (the form is below the summary).
    assert body.index('id="form-errors"') < body.index('id="summary"')
    assert not AccountDeletion.objects.exists()
    assert mail.outbox == []
    assert client.get(reverse("profile")).status_code == 200  # still signed in


def test_the_only_administrator_cannot_delete_their_account(client, administrator, password):
    """Nobody would be left to manage accounts, read the audit log or delete on request."""
    secret = enrol_totp(administrator)
    login_with_mfa(client, administrator)
    response = client.post(DELETE, {"password": password, "code": _totp(secret)})
    assert response.status_code == 400
    assert "Make someone else an administrator first." in response.content.decode()
    assert not AccountDeletion.objects.exists()
    # With a second administrator, the first may go; the second then may not.
    second = UserFactory(email="second@example.org", display_name="Second", roles=["administrator"])
    account_deletion_request(person=administrator, by=administrator)
    with pytest.raises(ValidationError):
        account_deletion_request(person=second, by=second)


def test_attempts_are_throttled(client, volunteer, password):
    client.force_login(volunteer)
    for _ in range(5):
        assert client.post(DELETE, {"password": "wrong"}).status_code == 400
    response = client.post(DELETE, {"password": password})
    assert response.status_code == 429
    assert not AccountDeletion.objects.exists()


def test_without_a_usable_password_the_person_is_asked_to_set_one_first(client, volunteer):
    volunteer.set_unusable_password()
    volunteer.save()
    client.force_login(volunteer)
    body = client.get(DELETE).content.decode()
    assert 'id="no-password"' in body and reverse("account_set_password") in body
    assert 'id="account-delete-form"' not in body
    client.post(DELETE, {"password": ""})
    assert not AccountDeletion.objects.exists()


def test_with_an_authenticator_a_current_code_is_required(client, volunteer, password):
    secret = enrol_totp(volunteer)
    client.force_login(volunteer)
    assert 'name="code"' in client.get(DELETE).content.decode()

    assert client.post(DELETE, {"password": password}).status_code == 400
    assert client.post(DELETE, {"password": password, "code": "000000"}).status_code == 400
    assert not AccountDeletion.objects.exists()

    response = client.post(DELETE, {"password": password, "code": _totp(secret)})
    assert response.status_code == 302
    assert AccountDeletion.objects.filter(person=volunteer, status="pending").exists()


def test_a_recovery_code_works_instead_of_the_app(client, volunteer, password):
    enrol_totp(volunteer)
    code = RecoveryCodes.activate(volunteer).get_unused_codes()[0]
    client.force_login(volunteer)
    response = client.post(DELETE, {"password": password, "code": code})
    assert response.status_code == 302
    assert AccountDeletion.objects.filter(person=volunteer).exists()


def test_a_wrong_password_does_not_spend_a_recovery_code(client, volunteer):
    enrol_totp(volunteer)
    codes = RecoveryCodes.activate(volunteer)
    code = codes.get_unused_codes()[0]
    client.force_login(volunteer)
    assert client.post(DELETE, {"password": "wrong", "code": code}).status_code == 400
    fresh = Authenticator.objects.get(user=volunteer, type=Authenticator.Type.RECOVERY_CODES)
    assert code in fresh.wrap().get_unused_codes()


# --- Asking -------------------------------------------------------------------------------------
def test_confirming_signs_out_everywhere_and_says_the_date(
    client, volunteer, password, django_capture_on_commit_callbacks
):
    volunteer.time_zone = "Asia/Kolkata"
    volunteer.save()
    other_device = Client()
    other_device.force_login(volunteer)
    client.force_login(volunteer)
    assert len(_session_keys_of(volunteer)) == 2

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(DELETE, {"password": password}, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 302 and response.url == reverse("account_delete_done")

    deletion = AccountDeletion.objects.get(person=volunteer)
    assert deletion.status == AccountDeletion.Status.PENDING
    assert deletion.requested_by == volunteer and not deletion.by_administrator
    expected = timezone.now() + timedelta(days=14)
    assert abs((deletion.due_at - expected).total_seconds()) < 60

    assert _session_keys_of(volunteer) == []
    assert other_device.get(reverse("profile")).status_code == 302
    done = client.get(response.url)
    assert done.status_code == 200
    body = done.content.decode()
    assert 'id="deletion-date"' in body and "(Kolkata, India)" in body
    # Nothing the site kept in this browser stays (queues, drafts, saved copies: training.device).
    assert done["Clear-Site-Data"] == '"storage"'
    assert client.get(reverse("profile")).status_code == 302  # signed out

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [volunteer.email]
    assert "(Kolkata, India)" in message.body and reverse("account_login") in message.body

    entry = AuditEntry.objects.get(action="account.deletion_requested")
    assert entry.subject_id == entry.actor_id == volunteer.pk
    assert entry.address == "203.0.113.9"
    assert entry.detail["requested_by"] == "self"


def test_the_done_page_without_a_deletion_goes_home(client):
    assert client.get(reverse("account_delete_done")).status_code == 302


# --- Grace period -------------------------------------------------------------------------------
def test_signing_in_during_the_grace_period_cancels(
    client, volunteer, password, django_capture_on_commit_callbacks
):
    account_deletion_request(person=volunteer, by=volunteer)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_login"),
            {"login": volunteer.email, "password": password},
            REMOTE_ADDR="198.51.100.7",
        )
    assert response.status_code == 302
    deletion = AccountDeletion.objects.get(person=volunteer)
    assert deletion.status == AccountDeletion.Status.CANCELLED and deletion.cancelled_at
    entry = AuditEntry.objects.get(action="account.deletion_cancelled")
    assert entry.subject_id == volunteer.pk and entry.address == "198.51.100.7"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [volunteer.email]
    # In no cohort and not in the pool: the email says so, with no way back to either.
    assert reverse("cohorts:list") not in mail.outbox[0].body
    assert reverse("certificates:pool") not in mail.outbox[0].body
    page = client.get(reverse("dashboard"))
    assert [m.level_tag for m in page.context["messages"]].count("info") == 1

    # The task that runs later deletes nothing.
    _make_due(deletion)
    assert perform_due_deletions() == 0
    volunteer.refresh_from_db()
    assert volunteer.anonymised_at is None and volunteer.email == "vol@example.org"


def test_the_task_erases_only_after_the_due_date(volunteer):
    deletion = account_deletion_request(person=volunteer, by=volunteer)
    assert perform_due_deletions() == 0
    volunteer.refresh_from_db()
    assert volunteer.anonymised_at is None

    _make_due(deletion)
    assert perform_due_deletions() == 1
    assert perform_due_deletions() == 0  # safe to run twice
    assert account_erase(deletion_id=deletion.pk) is False
    deletion.refresh_from_db()
    assert deletion.status == AccountDeletion.Status.DONE and deletion.performed_at

    tombstone = User.objects.get(pk=volunteer.pk)
    assert tombstone.anonymised_at is not None
    assert re.fullmatch(rf"deleted-{tombstone.pk}-[0-9a-f]+@deleted\.invalid", tombstone.email)
    assert str(tombstone.display_name) == "Former member"
    assert User.objects.filter(pk=volunteer.pk, display_name=FORMER_MEMBER).exists()
    assert (tombstone.first_name, tombstone.last_name, tombstone.legal_name) == ("", "", "")
    assert not tombstone.has_usable_password() and not tombstone.is_active
    assert not tombstone.is_staff and not tombstone.is_superuser
    assert tombstone.time_zone == "UTC" and tombstone.preferred_language == ""
    assert tombstone.last_login is None and not tombstone.groups.exists()
    assert not EmailAddress.objects.filter(user=tombstone).exists()

    entry = AuditEntry.objects.get(action="account.deleted")
    assert entry.subject_id == tombstone.pk and entry.detail["requested_by"] == "self"
    assert "vol@example.org" not in str(entry.detail) and "Vol" not in str(entry.detail)


def test_a_tombstone_cannot_sign_in_reset_or_receive_mail_and_the_address_signs_up_again(
    client, volunteer, password
):
    deletion = account_deletion_request(person=volunteer, by=volunteer)
    _make_due(deletion)
    account_erase(deletion_id=deletion.pk)
    tombstone = User.objects.get(pk=volunteer.pk)
    mail.outbox.clear()

    for login in ("vol@example.org", tombstone.email):
        response = client.post(reverse("account_login"), {"login": login, "password": password})
        assert "_auth_user_id" not in client.session
        assert response.status_code in (200, 302)
    client.post(reverse("account_reset_password"), {"email": "vol@example.org"})
    assert all("/password/reset/key/" not in m.body for m in mail.outbox)
    assert all(tombstone.email not in m.to for m in mail.outbox)

    client.post(
        reverse("account_signup"),
        {
            "email": "vol@example.org",
            "display_name": "Vol again",
            "time_zone": "UTC",
            "password1": "a-long-and-unusual-passphrase",
            "password2": "a-long-and-unusual-passphrase",
        },
    )
    again = User.objects.get(email="vol@example.org")
    assert again.pk != tombstone.pk and again.anonymised_at is None


def test_notifications_skip_a_tombstone(volunteer):
    deletion = account_deletion_request(person=volunteer, by=volunteer)
    _make_due(deletion)
    account_erase(deletion_id=deletion.pk)
    mail.outbox.clear()
    tombstone = User.objects.get(pk=volunteer.pk)
    assert send("nudge", [(tombstone, f"test:{tombstone.pk}")], lambda user: {}) == 0
    assert mail.outbox == []


# --- A person with data in every category -------------------------------------------------------
EMAIL = "zoe.quintanilla@example.org"
# Every one of these would name the person: none may be left anywhere after the deletion.
TRACES = [EMAIL, "zoemarker", "legalmarker", "quintanilla", "zoefirst"]
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def _person_with_data_everywhere():
    """Someone who learned, applied, joined a cohort, attended, was signed off, signed an
    agreement, was certified, joined the pool, downloaded their data and has an avatar, with
    text naming them in every field that may hold it. Returns what the test needs."""
    person = UserFactory(
        email=EMAIL,
        display_name="Zoemarker",
        legal_name="Zoe Legalmarker Quintanilla",
        first_name="Zoefirst",
        last_name="Quintanilla",
        time_zone="America/Bogota",
        preferred_language="es",
    )
    trainer = UserFactory(display_name="Trainer Tam", roles=[Role.TRAINER])
    coordinator = UserFactory(display_name="Coord Cam", roles=[Role.COORDINATOR])
    classmate = UserFactory(display_name="Classmate Cy")
    enrol_totp(person)
    RecoveryCodes.activate(person)
    sessions = Client()
    sessions.force_login(person)

    # Learning
    course, (module,) = make_course("deletion-course", modules=1)
    quiz, reflection = block_id("deletion-course/0/quiz"), block_id("deletion-course/0/reflection")
    for who in (person, classmate):
        Enrolment.objects.create(user=who, course=course)
        ModuleProgress.objects.create(
            user=who, module=module, course=course, status="completed", completed_at=timezone.now()
        )
        CourseProgress.objects.create(user=who, course=course, completed_at=timezone.now())
        ActivityCompletion.objects.create(user=who, module=module, activity_id=quiz, kind="quiz")
    QuizAttempt.objects.create(
        user=person,
        module=module,
        activity_id=quiz,
        number=1,
        score=100,
        passed=True,
        answers={"note": "Zoemarker answered"},
        results={"by": "Zoemarker"},
    )
    Reflection.objects.create(
        user=person,
        module=module,
        activity_id=reflection,
        shared_with_trainers=True,
        text="I am Zoe Legalmarker Quintanilla and I noticed…",
        submitted_text="Zoemarker: I noticed…",
        submitted_at=timezone.now(),
    )
    activity = H5PActivity.objects.create(
        title="An activity", language="en", package="uploads/sample.h5p"
    )
    H5PStatement.objects.create(
        id=uuid.uuid4(),
        user=person,
        module=module,
        activity_id=block_id("h5p"),
        h5p_activity=activity,
        verb="answered",
        raw={"actor": {"name": "Zoemarker", "mbox": f"mailto:{EMAIL}"}},
    )
    H5PState.objects.create(user=person, h5p_activity=activity, data='{"who": "Zoemarker"}')

    # Cohorts
    track = make_track(title="Deletion track")
    cohort = make_cohort(track, trainer=trainer)
    question = ScreeningQuestion.objects.create(cohort=cohort, text="Why do you apply?")
    Application.objects.create(
        cohort=cohort,
        user=person,
        status="accepted",
        answers={str(question.pk): "Zoemarker here"},
        message="Welcome, Zoemarker!",
        decided_by=trainer,
        decided_at=timezone.now(),
        submitted_at=timezone.now(),
    )
    join(cohort, person)
    join(cohort, classmate)
    session = make_session(cohort)
    mark(session, person)
    mark(session, classmate)
    skill = make_skill(cohort)
    SkillSignOff.objects.create(
        skill=skill, user=person, cohort=cohort, signed_by=trainer, notes="Zoemarker listened well."
    )
    CalendarFeed.objects.create(user=person, token_hash="f" * 64)
    NotificationLog.objects.create(user=person, key=f"nudge:{person.pk}", kind="nudge")
    NotificationOptOut.objects.create(user=person, kind="nudge")
    CohortInvitation.objects.create(
        cohort=cohort,
        email=EMAIL,
        display_name="Zoemarker",
        invited_by=trainer,
        expires_at=timezone.now() + timedelta(days=3),
    )

    # Certification and the pool
    agreement = make_agreement()
    AgreementSignature.objects.create(user=person, version=agreement.versions.first())
    requirement = AgreementRequirementFactory(track=track, agreement=agreement)
    RequirementException.objects.create(
        requirement=requirement, user=person, reason="Zoemarker was ill", granted_by=coordinator
    )
    certificate = make_certificate(person, track, name_on_certificate=person.legal_name)
    certificate.pdf.save("zoe-quintanilla.pdf", ContentFile(b"%PDF-1.4 Zoe Legalmarker"))
    CertificationRequest.objects.create(
        user=person, track=track, period=1, note="Zoemarker asked", decided_by=coordinator
    )
    EligibilitySnapshot.objects.create(
        user=person, track=track, path="initial", met=1, total=1, eligible=True
    )
    CertificationEvent.objects.create(
        user=person,
        track=track,
        certificate=certificate,
        kind="issued",
        actor=coordinator,
        note="For Zoemarker",
    )
    PoolMemberFactory(
        user=person,
        status="active",
        languages=[{"code": "es", "level": "native"}],
        region="Quintanilla valley",
        contact_phone="+57 300 000 0000",
        contact_other=EMAIL,
        share_email=True,
        share_phone=True,
        share_other=True,
    )
    ApiToken.objects.create(user=person, name="Zoemarker's token", prefix="abcd", key_hash="0" * 64)

    # The account, staff records, files
    profile = UserProfile.get_for_user(person)
    profile.avatar.save("zoemarker.png", ContentFile(PNG))
    log(instance=person, action="wagtail.edit", user=coordinator)
    audit.record(action="pool.removed", actor=coordinator, subject=person)
    files = [certificate.pdf, profile.avatar]
    if apps.is_installed("training") and "datadownload" in {
        m._meta.model_name for m in apps.get_app_config("training").get_models()
    }:
        download_model = apps.get_model("training", "DataDownload")
        download = download_model.objects.create(
            person=person, expires_at=timezone.now() + timedelta(hours=1), status="ready"
        )
        download.file.save("zoemarker-data.zip", ContentFile(b"PK Zoemarker"))
        files.append(download.file)

    names = [(f.storage, f.name) for f in files]
    made = {
        "cohort": cohort,
        "session": session,
        "module": module,
        "course": course,
        "track": track,
        "certificate": certificate,
        "files": names,
        "other_device": sessions,
    }
    made["counts"] = _counts(made)
    return person, made


def _counts(made):
    session, track = made["session"], made["track"]
    return {
        "members": made["cohort"].memberships.count(),
        "attendance": session.attendances.count() if hasattr(session, "attendances") else None,
        "completed_modules": ModuleProgress.objects.filter(
            module=made["module"], completed_at__isnull=False
        ).count(),
        "completed_courses": CourseProgress.objects.filter(
            course=made["course"], completed_at__isnull=False
        ).count(),
        "activities": ActivityCompletion.objects.filter(module=made["module"]).count(),
        "certificates": track.certificates.count() if hasattr(track, "certificates") else None,
    }


TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def _traces_left() -> list[str]:
    """Every text, character and JSON column of every table that still holds a trace."""
    found = []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND data_type IN "
                "('text', 'character varying', 'character', 'json', 'jsonb')"
            )
            columns = cursor.fetchall()
            patterns = [f"%{trace}%" for trace in TRACES]
            for table, column in columns:
                cursor.execute(
                    f'SELECT "{column}"::text FROM "{table}" '  # noqa: S608
                    f'WHERE "{column}"::text ILIKE ANY(%s) LIMIT 1',
                    [patterns],
                )
                row = cursor.fetchone()
                if row:
                    found.append(f"{table}.{column}: {row[0][:200]}")
        return found
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, TEXT_FIELDS):
                continue
            for trace in TRACES:
                if model._base_manager.filter(**{f"{field.name}__icontains": trace}).exists():
                    found.append(f"{model._meta.label}.{field.name} ~ {trace}")
    return found


def test_after_erasure_nothing_names_the_person_anywhere_and_their_files_are_gone(
    client, django_capture_on_commit_callbacks
):
    person, made = _person_with_data_everywhere()
    assert _traces_left(), "the search must find the person before the deletion"
    for storage, name in made["files"]:
        assert storage.exists(name)

    with django_capture_on_commit_callbacks(execute=True):
        deletion = account_deletion_request(person=person, by=person)
    # Leaving the pool and every cohort happens at once.
    assert not Membership.objects.filter(user=person, left_at__isnull=True).exists()
    assert not PoolMember.objects.filter(user=person, status="active").exists()
    assert made["other_device"].get(reverse("profile")).status_code == 302

    _make_due(deletion)
    with django_capture_on_commit_callbacks(execute=True):
        assert perform_due_deletions() == 1

    assert _traces_left() == []
    for storage, name in made["files"]:
        assert not storage.exists(name), name
    assert _counts(made) == made["counts"]
    assert not Authenticator.objects.filter(user_id=person.pk).exists()
    assert _session_keys_of(person) == []

    # The certificate's page: no longer valid, and nobody named.
    certificate = made["certificate"]
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None and not certificate.pdf
    page = client.get(reverse("verify", args=[certificate.code]))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-state="valid"' not in body
    assert all(trace.lower() not in body.lower() for trace in TRACES)

    actions = list(AuditEntry.objects.filter(subject=person).values_list("action", flat=True))
    assert "account.deletion_requested" in actions and "account.deleted" in actions


# --- Administrators -----------------------------------------------------------------------------
def test_an_administrator_deletes_an_account_with_a_reason(
    client, administrator, volunteer, django_capture_on_commit_callbacks
):
    login_with_mfa(client, administrator)
    url = reverse("wagtailusers_users:delete", args=[volunteer.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'name="reason"' in page.content.decode()

    assert client.post(url, {"reason": ""}).status_code == 200  # required
    # The reason is kept after the deletion: it may not name the person.
    assert client.post(url, {"reason": "Asked by vol@example.org"}).status_code == 200
    assert not AccountDeletion.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "Asked us by phone."}, REMOTE_ADDR="192.0.2.44")
    assert response.status_code == 302
    deletion = AccountDeletion.objects.get(person=volunteer)
    assert deletion.status == AccountDeletion.Status.DONE
    assert deletion.by_administrator and deletion.reason == "Asked us by phone."
    tombstone = User.objects.get(pk=volunteer.pk)
    assert tombstone.anonymised_at is not None and not tombstone.is_active
    requested = AuditEntry.objects.get(action="account.deletion_requested")
    assert requested.actor_id == administrator.pk and requested.subject_id == volunteer.pk
    assert requested.detail == {
        "requested_by": "admin",
        "reason": "Asked us by phone.",
        "due_at": requested.detail["due_at"],
    }
    assert requested.address == "192.0.2.44"
    deleted = AuditEntry.objects.get(action="account.deleted")
    assert deleted.actor_id == administrator.pk and deleted.detail["requested_by"] == "admin"
    # The person was told (before their address went).
    assert [m.to for m in mail.outbox] == [["vol@example.org"]]
    # Signing in cannot cancel an administrator's deletion (and the tombstone cannot sign in).
    assert User.objects.filter(pk=volunteer.pk, is_active=True).count() == 0


def test_an_administrators_deletion_cannot_be_cancelled_by_signing_in(administrator, volunteer):
    account_deletion_request(person=volunteer, by=administrator, reason="Duplicate account.")
    assert account_deletion_cancel(person=volunteer) is None
    assert AccountDeletion.objects.get(person=volunteer).status == AccountDeletion.Status.PENDING


def test_an_administrator_cannot_delete_their_own_account_in_the_admin(client, administrator):
    login_with_mfa(client, administrator)
    url = reverse("wagtailusers_users:delete", args=[administrator.pk])
    assert client.get(url).status_code in (302, 403)
    client.post(url, {"reason": "Leaving."})
    assert not AccountDeletion.objects.exists()
    administrator.refresh_from_db()
    assert administrator.anonymised_at is None and administrator.is_active


def test_bulk_deletion_in_the_admin_takes_the_same_path(
    client, administrator, volunteer, django_capture_on_commit_callbacks
):
    other = UserFactory(email="other@example.org", display_name="Other")
    login_with_mfa(client, administrator)
    url = (
        reverse("wagtail_bulk_action", args=["training", "user", "delete"])
        + f"?id={volunteer.pk}&id={other.pk}&id={administrator.pk}"
    )
    page = client.get(url)
    assert page.status_code == 200 and 'name="reason"' in page.content.decode()
    assert client.post(url, {"reason": ""}).status_code == 200
    assert not AccountDeletion.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "Test accounts from the workshop."})
    assert response.status_code == 302
    assert set(
        AccountDeletion.objects.filter(status="done").values_list("person_id", flat=True)
    ) == {volunteer.pk, other.pk}
    assert (
        User.objects.filter(pk__in=[volunteer.pk, other.pk], anonymised_at__isnull=False).count()
        == 2
    )
    administrator.refresh_from_db()
    assert administrator.anonymised_at is None  # never themselves
    assert User.objects.filter(pk=volunteer.pk).exists()  # a tombstone, never a deleted row


def test_a_reason_may_not_name_the_person_but_may_use_common_words(administrator):
    person = UserFactory(email="ana.r@example.org", display_name="Vol", legal_name="Ana Ruiz")
    for naming in (
        "Asked by ana.r@example.org",
        "Ana Ruiz asked",
        "Ruiz asked",
        "vol asked",
        "From ana.r",
    ):
        with pytest.raises(ValidationError):
            account_deletion_request(person=person, by=administrator, reason=naming)
    assert not AccountDeletion.objects.exists()
    deletion = account_deletion_request(
        person=person, by=administrator, reason="Volunteer asked us by phone."
    )
    assert deletion.reason == "Volunteer asked us by phone."


def test_an_administrator_deletes_an_account_whose_owner_asked_already(administrator, volunteer):
    mine = account_deletion_request(person=volunteer, by=volunteer)
    theirs = account_deletion_request(person=volunteer, by=administrator, reason="Asked twice.")
    assert theirs.pk == mine.pk and theirs.by_administrator
    assert theirs.due_at <= timezone.now()
    assert account_erase(deletion_id=theirs.pk) is True
    assert AccountDeletion.objects.get().status == AccountDeletion.Status.DONE
