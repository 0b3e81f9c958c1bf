"""The privacy registry is complete: every installed model that points at a person, or has a
field that names or contacts one, is declared in training/privacy.py (or set aside with its
reason); and each declaration says what, why, how long and who, in words."""

import json

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.db import models
from django.test import Client
from django.test.utils import isolate_apps
from django.utils.functional import Promise
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry
from wagtail.users.models import UserProfile

from courses.factories import make_course
from tests.helpers import export_rows
from training import audit, privacy
from training.celery import app
from training.factories import UserFactory
from training.privacy import Declaration, Erase

User = get_user_model()


# --- Completeness -------------------------------------------------------------------------------
def test_every_installed_model_holding_personal_data_is_declared():
    problems = privacy.undeclared()
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(
    "label",
    [
        "sessions.Session",
        "account.EmailAddress",
        "mfa.Authenticator",
        "wagtailusers.UserProfile",
        "wagtailcore.ModelLogEntry",
        settings.AUTH_USER_MODEL,
        "training.AuditEntry",
        "courses.QuizAttempt",
        "courses.Reflection",
    ],
)
def test_the_models_known_to_hold_personal_data_are_declared(label):
    assert label in privacy.REGISTRY


def _declaration(model, **fields):
    values = {
        "model": model,
        "category": "learning",
        "title": "x",
        "holds": "x",
        "purpose": "x",
        "seen_by": "x",
    }
    return Declaration(**(values | fields))


@isolate_apps("courses")
def test_the_check_fails_for_an_undeclared_model_that_points_at_a_person():
    class Diary(models.Model):  # noqa: DJ008
        author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")

        class Meta:
            app_label = "courses"

    problems = privacy.undeclared(models=[Diary])
    assert len(problems) == 1
    assert "courses.Diary" in problems[0] and "author" in problems[0]
    # Declared, it passes; set aside with a reason, too.
    declared = privacy.REGISTRY | {
        "courses.Diary": _declaration("courses.Diary", person=("author",))
    }
    assert privacy.undeclared(models=[Diary], registry=declared) == []
    assert privacy.undeclared(models=[Diary], not_personal_={"courses.Diary.author": "…"}) == []


@isolate_apps("courses")
def test_the_check_fails_for_a_relation_the_declaration_does_not_name():
    class Note(models.Model):  # noqa: DJ008
        author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
        reviewer = models.OneToOneField(User, on_delete=models.CASCADE, related_name="+")
        readers = models.ManyToManyField(User, related_name="+")

        class Meta:
            app_label = "courses"

    registry = privacy.REGISTRY | {"courses.Note": _declaration("courses.Note", person=("author",))}
    problems = privacy.undeclared(models=[Note], registry=registry)
    assert len(problems) == 2
    assert any("courses.Note.reviewer" in p for p in problems)
    assert any("courses.Note.readers" in p for p in problems)
    registry = privacy.REGISTRY | {
        "courses.Note": _declaration(
            "courses.Note", person=("author",), actors=("reviewer", "readers")
        )
    }
    assert privacy.undeclared(models=[Note], registry=registry) == []


@isolate_apps("courses", "taggit")
def test_the_check_fails_for_a_field_that_names_or_contacts_a_person():
    class Contact(models.Model):  # noqa: DJ008
        title = models.CharField(max_length=20)
        contact_phone = models.CharField(max_length=20)
        emergency_email = models.EmailField()

        class Meta:
            app_label = "courses"

    class Label(models.Model):  # noqa: DJ008 -- an app whose text is not read: relations only
        name = models.CharField(max_length=20)

        class Meta:
            app_label = "taggit"

    problems = privacy.undeclared(models=[Contact, Label])
    assert len(problems) == 1
    assert "contact_phone" in problems[0] and "emergency_email" in problems[0]
    assert "title" not in problems[0]
    set_aside = {"courses.Contact.contact_phone": "…", "courses.Contact.emergency_email": "…"}
    assert privacy.undeclared(models=[Contact], not_personal_=set_aside) == []


def test_the_check_demands_sessions_email_addresses_and_authenticators():
    problems = privacy.undeclared(models=[], registry={})
    assert len(problems) == 3
    for label in ("sessions.Session", "account.EmailAddress", "mfa.Authenticator"):
        assert any(label in problem for problem in problems)


def test_a_declaration_without_person_fields_has_no_rows_rather_than_every_row(volunteer):
    session_declaration = privacy.REGISTRY["sessions.Session"]
    assert session_declaration.person == ()
    assert session_declaration.rows(volunteer).query.is_empty()


# --- Every declaration is complete ----------------------------------------------------------------
@pytest.mark.parametrize("declaration", privacy.declarations(), ids=lambda d: d.model)
def test_each_declaration_says_what_why_how_long_and_who_sees_it(declaration):
    assert declaration.category in privacy.CATEGORIES
    for attribute in ("title", "holds", "purpose", "seen_by"):
        assert str(getattr(declaration, attribute)).strip(), f"{declaration.model}: {attribute}"
    # A short heading, translated (gettext_lazy), for the archive and the privacy page.
    assert isinstance(declaration.title, Promise), f"{declaration.model}: title not translatable"
    assert len(str(declaration.title)) <= 60, f"{declaration.model}: title too long"
    assert declaration.retention.describe().strip()
    if declaration.erase is Erase.KEEP:
        assert str(declaration.kept_because).strip(), f"{declaration.model} keeps rows: say why"
    meta = declaration.model_class._meta
    for name in (*declaration.person, *declaration.actors):
        if name == "pk":
            continue
        field = meta.get_field(name)
        assert field.is_relation and issubclass(field.related_model, User), (
            declaration.model,
            name,
        )
    for name in declaration.names_person:
        meta.get_field(name)


def test_every_retention_task_of_the_registry_is_scheduled_and_exists():
    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    named = privacy.tasks()
    for name in ("training.tasks.clear_expired_sessions", "courses.tasks.h5p_statements_purge",
                 "training.tasks.purge_audit_log"):  # fmt: skip
        assert name in named
    missing = sorted(name for name in named if name not in scheduled or name not in app.tasks)
    assert missing == []


def test_retention_periods_read_their_settings(settings):
    settings.ACOMPANA_AUDIT_LOG_DAYS = 31
    settings.SESSION_COOKIE_AGE = 60 * 60 * 24 * 3
    assert "31" in privacy.REGISTRY["training.AuditEntry"].retention.describe()
    assert "3" in privacy.REGISTRY["sessions.Session"].retention.describe()


# --- What the platform's own declarations export and erase --------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("declaration", privacy.declarations(), ids=lambda d: d.model)
def test_every_export_runs_and_is_json_ready_for_a_person_without_data(declaration, volunteer):
    json.dumps(declaration.export_rows(volunteer))
    if declaration.files is not None:
        assert list(declaration.files(volunteer)) == []


@pytest.mark.django_db
def test_the_account_export_holds_the_profile(volunteer):
    volunteer.legal_name = "Valeria Legal"
    volunteer.save()
    [row] = export_rows(settings.AUTH_USER_MODEL, volunteer)
    assert row["email"] == "vol@example.org"
    assert row["legal_name"] == "Valeria Legal"
    assert row["display_name"] == "Vol"
    assert "password" not in row
    [address] = export_rows("account.EmailAddress", volunteer)
    assert address == {"email": "vol@example.org", "verified": True, "primary": True}


@pytest.mark.django_db
def test_authenticators_export_their_kind_never_their_secret(volunteer):
    Authenticator.objects.create(user=volunteer, type="totp", data={"secret": "JBSWY3DPEHPK3PXP"})
    rows = export_rows("mfa.Authenticator", volunteer)
    assert len(rows) == 1
    assert "JBSWY3DPEHPK3PXP" not in json.dumps(rows)
    assert set(rows[0]) == {"type", "created_at"}


@pytest.mark.django_db
def test_sessions_are_counted_and_ended_for_that_person_only(client, volunteer):
    client.force_login(volunteer)
    Client().force_login(volunteer)
    other = Client()
    other.force_login(UserFactory())
    assert export_rows("sessions.Session", volunteer) == [{"active_sessions": 2}]
    assert privacy.REGISTRY["sessions.Session"].erase_rows(volunteer) == 2
    assert Session.objects.count() == 1
    assert export_rows("sessions.Session", volunteer) == [{"active_sessions": 0}]
    assert other.get("/dashboard/").status_code == 200  # the other person is still signed in
    assert client.get("/dashboard/").status_code == 302  # the volunteer is signed out


@pytest.mark.django_db
def test_the_audit_export_names_the_actor_but_nobody_the_person_acted_on(volunteer, coordinator):
    audit.record(action="pool.removed", actor=coordinator, subject=volunteer)
    audit.record_many(action="pool.export_csv", actor=coordinator, people=[volunteer.pk])
    audit.record(action="account.roles_changed", actor=volunteer, subject=coordinator)
    rows = export_rows("training.AuditEntry", volunteer)
    about = [row for row in rows if "actor" in row]
    by_them = [row for row in rows if "actor" not in row]
    assert len(about) == 2 and {row["actor"] for row in about} == {"Coord"}
    assert len(by_them) == 1 and by_them[0]["count"] == 1
    assert "Coord" not in json.dumps(by_them)
    assert coordinator.email not in json.dumps(rows)


@pytest.mark.django_db
def test_wagtail_history_of_an_account_stops_naming_it(volunteer, administrator):
    log(volunteer, "wagtail.edit", user=administrator)
    entry = ModelLogEntry.objects.get(object_id=str(volunteer.pk))
    assert entry.label == "Vol"
    assert privacy.REGISTRY["wagtailcore.ModelLogEntry"].erase_rows(volunteer) == 1
    entry.refresh_from_db()
    assert "Vol" not in entry.label and str(volunteer.pk) in entry.label
    assert entry.user_id == administrator.pk  # who did it stays


@pytest.mark.django_db
def test_the_editing_area_profile_and_its_picture_are_deleted(volunteer):
    profile = UserProfile.get_for_user(volunteer)
    profile.avatar.save("me.png", ContentFile(b"\x89PNG fake"), save=True)
    storage, name = profile.avatar.storage, profile.avatar.name
    assert storage.exists(name)
    files = list(privacy.REGISTRY["wagtailusers.UserProfile"].files(volunteer))
    assert len(files) == 1 and files[0][0].startswith("avatar/")
    privacy.REGISTRY["wagtailusers.UserProfile"].erase_rows(volunteer)
    assert not UserProfile.objects.filter(user=volunteer).exists()
    assert not storage.exists(name)


@pytest.mark.django_db
def test_pages_the_person_locked_are_unlocked(volunteer):
    course, _modules = make_course(modules=1)
    course.locked, course.locked_by = True, volunteer
    course.save()
    privacy.REGISTRY["wagtailcore.Page"].erase_rows(volunteer)
    course.refresh_from_db()
    assert not course.locked and course.locked_by is None
