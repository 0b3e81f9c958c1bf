"""The one audit log (training/audit.py): append-only (ORM and, on PostgreSQL, the database),
retention, one entry per sensitive action on another person's data (who, about whom, from where),
exports with the people they sent, the coordinators' access record and the administrators'
Audit log report (filters, pages, query budget, 403)."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.account.signals import email_changed
from django.contrib.auth.models import Group
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, reverse
from django.utils import timezone
from wagtail.snippets.models import get_snippet_models

from certificates import services as certificate_services
from certificates import tasks as certificate_tasks
from certificates.models import (
    Certificate,
    CertificationRequest,
    PoolMember,
    Requirement,
    RequirementException,
    Track,
)
from cohorts import services as cohort_services
from cohorts.models import Application
from tests.audit import pool_entries, sent, sent_ids
from tests.certificates.factories import (
    add_requirement,
    join,
    make_agreement,
    make_certificate,
    make_cohort,
    make_track,
)
from tests.certificates.pool_factories import pool_person, pool_track
from tests.cohorts.factories import make_cohort as make_application_cohort
from tests.conftest import login_with_mfa
from training import audit
from training.factories import UserFactory
from training.models import AuditEntry, AuditSubject, User
from training.roles import Role
from training.services import user_set_roles

pytestmark = pytest.mark.django_db
ADDRESS = "203.0.113.7"
POSTGRESQL = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="the append-only trigger is PostgreSQL's"
)


def only(action: str) -> AuditEntry:
    """The one entry of `action` (fails if there are none or several)."""
    (entry,) = AuditEntry.objects.filter(action=action)
    return entry


def about(entry, actor, subject) -> None:
    assert (entry.actor_id, entry.subject_id, entry.address) == (
        getattr(actor, "pk", None),
        subject.pk,
        ADDRESS,
    )


def web_request(user, address=ADDRESS):
    request = RequestFactory().post("/", REMOTE_ADDR=address)
    request.user = user
    return request


@pytest.fixture
def other_coordinator(db):
    return UserFactory(display_name="Coord Two", roles=[Role.COORDINATOR])


# --- Append-only ---------------------------------------------------------------------------------
def test_entries_cannot_be_changed_or_deleted_through_the_orm(coordinator, volunteer):
    entry = audit.record(action="certificate.revoked", actor=coordinator, subject=volunteer)
    entry.action = "pool.viewed"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="pool.viewed")
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "certificate.revoked"


def test_who_an_entry_concerned_cannot_be_changed_or_deleted_through_the_orm(
    coordinator, volunteer
):
    entry = audit.record_many(action="pool.export_csv", people=[volunteer.pk], actor=coordinator)
    subject = entry.subjects.get()
    subject.person = coordinator
    with pytest.raises(PermissionError):
        subject.save()
    with pytest.raises(PermissionError):
        subject.delete()
    with pytest.raises(PermissionError):
        entry.subjects.update(person=coordinator)
    with pytest.raises(PermissionError):
        entry.subjects.all().delete()
    assert list(entry.subjects.values_list("person", flat=True)) == [volunteer.pk]


def test_an_unknown_action_is_refused(coordinator):
    before = AuditEntry.objects.count()  # making a coordinator is recorded (roles changed)
    with pytest.raises(ValueError, match="ACTIONS"):
        audit.record(action="pool.peeked", actor=coordinator)
    assert AuditEntry.objects.count() == before


def test_every_action_has_a_label():
    for action, label in audit.ACTIONS.items():
        assert "." in action and str(label), action


@POSTGRESQL
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE training_auditentry SET action = 'pool.viewed' WHERE id = %s",
        "DELETE FROM training_auditentry WHERE id = %s",
        "UPDATE training_auditsubject SET person_id = person_id + 1 WHERE entry_id = %s",
        "DELETE FROM training_auditsubject WHERE entry_id = %s",
    ],
)
def test_the_database_refuses_raw_updates_and_deletes(coordinator, volunteer, sql):
    entry = audit.record_many(action="pool.export_csv", people=[volunteer.pk], actor=coordinator)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk, action="pool.export_csv").exists()
    assert sent_ids(entry) == {volunteer.pk}


def test_purge_removes_only_entries_past_their_period(settings, coordinator, volunteer):
    settings.ACOMPANA_AUDIT_LOG_DAYS = 730
    now = timezone.now()
    old = AuditEntry.objects.create(
        action="pool.viewed", actor=coordinator, count=1, at=now - timedelta(days=730, seconds=1)
    )
    audit.add_subjects(old, [volunteer.pk])
    edge = AuditEntry.objects.create(
        action="pool.viewed",
        actor=coordinator,
        count=1,
        at=now - timedelta(days=730) + timedelta(seconds=1),
    )
    audit.add_subjects(edge, [volunteer.pk])
    recent = audit.record(action="certificate.revoked", actor=coordinator, subject=volunteer)

    assert audit.purge(now=now) == 1
    assert not AuditEntry.objects.filter(pk=old.pk).exists()
    assert AuditEntry.objects.filter(pk__in=[edge.pk, recent.pk]).count() == 2
    assert list(AuditSubject.objects.values_list("entry_id", flat=True)) == [edge.pk]
    assert audit.purge(now=now) == 0  # idempotent
    if connection.vendor == "postgresql":
        # The permission purge gives itself ends with it, even inside a longer transaction.
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM training_auditentry WHERE id = %s", [edge.pk])
    assert AuditEntry.objects.filter(pk=edge.pk).exists()


# --- One entry per sensitive action ---------------------------------------------------------------
def _track_for(holder, *, approval=Track.Approval.AUTOMATIC):
    track = make_track(approval=approval)
    add_requirement(track, Requirement.Kind.AGREEMENT, agreement=make_agreement())
    add_requirement(track, Requirement.Kind.ATTENDANCE, min_attendance=50)
    join(make_cohort(track), holder)
    return track


def test_a_revocation_and_the_pool_removal_it_causes_are_recorded(client, coordinator):
    track = pool_track()
    member = pool_person(track, name="Holder")
    certificate = Certificate.objects.get(user=member.user)
    login_with_mfa(client, coordinator)
    response = client.post(
        reverse("certificates:revoke", args=[track.slug, member.user_id, certificate.code]),
        {"reason": "Shared a caller's story", "confirm": "yes"},
        REMOTE_ADDR=ADDRESS,
    )
    assert response.status_code == 302
    revoked = only("certificate.revoked")
    about(revoked, coordinator, member.user)
    assert revoked.detail == {"track": track.pk, "certificate": certificate.pk}
    assert "story" not in str(revoked.detail)  # free text stays with the certificate
    removed = only("pool.removed")
    about(removed, coordinator, member.user)
    assert removed.detail == {"reason": "revoked"}


def test_an_expiry_removes_from_the_pool_with_nobody_as_the_actor():
    track = pool_track()
    member = pool_person(track, name="Lapsed")
    Certificate.objects.filter(user=member.user).update(
        expires_on=timezone.localdate() - timedelta(days=1)
    )
    certificate_services.certificates_expire()
    removed = only("pool.removed")
    assert (removed.actor_id, removed.subject_id, removed.address) == (None, member.user_id, None)
    assert PoolMember.objects.get(pk=member.pk).status == PoolMember.Status.REMOVED


def test_an_exception_granted_then_withdrawn_is_recorded(
    client, coordinator, volunteer, django_capture_on_commit_callbacks
):
    track = _track_for(volunteer)
    requirement = track.requirements.first()
    login_with_mfa(client, coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("certificates:grant_exception", args=[track.slug, volunteer.pk]),
            {"requirement": requirement.pk, "reason": "Trained elsewhere"},
            REMOTE_ADDR=ADDRESS,
        )
    exception = RequirementException.objects.get()
    granted = only("certificate.exception_granted")
    about(granted, coordinator, volunteer)
    assert granted.detail == {
        "track": track.pk,
        "requirement": requirement.pk,
        "exception": exception.pk,
    }

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse(
                "certificates:withdraw_exception", args=[track.slug, volunteer.pk, exception.pk]
            ),
            REMOTE_ADDR=ADDRESS,
        )
    about(only("certificate.exception_withdrawn"), coordinator, volunteer)


@pytest.mark.parametrize(
    ("decision", "action"),
    [("approve", "certificate.approved"), ("decline", "certificate.declined")],
)
def test_a_certification_decision_is_recorded(
    client, coordinator, other_coordinator, volunteer, decision, action
):
    track = _track_for(volunteer, approval=Track.Approval.COORDINATOR)
    for requirement in track.requirements.all():
        certificate_services.exception_grant(
            user=volunteer, requirement=requirement, reason="Elsewhere", by=other_coordinator
        )
    certificate_services.certification_evaluate(user=volunteer, track=track)
    request = CertificationRequest.objects.get(user=volunteer, track=track)
    login_with_mfa(client, coordinator)
    client.post(
        reverse("certificates:decide", args=[track.slug, volunteer.pk, request.pk]),
        {"decision": decision},
        REMOTE_ADDR=ADDRESS,
    )
    entry = only(action)
    about(entry, coordinator, volunteer)
    assert entry.detail["request"] == request.pk
    other = {"certificate.approved", "certificate.declined"} - {action}
    assert not AuditEntry.objects.filter(action__in=other).exists()


def test_a_coordinators_pdf_download_is_recorded(client, coordinator, volunteer):
    track = make_track()
    certificate = make_certificate(volunteer, track)
    certificate_tasks.render_certificate(certificate.pk)
    login_with_mfa(client, coordinator)
    url = reverse("certificates:person_pdf", args=[track.slug, volunteer.pk, certificate.code])
    assert client.get(url, REMOTE_ADDR=ADDRESS).status_code == 200
    about(only("certificate.pdf_downloaded"), coordinator, volunteer)


@pytest.fixture
def trainer_client(client, trainer):
    login_with_mfa(client, trainer)
    client.trainer = trainer
    return client


def test_each_application_decided_in_bulk_is_recorded(trainer_client):
    trainer = trainer_client.trainer
    cohort = make_application_cohort(trainer=trainer, capacity=1)
    first, second = UserFactory(display_name="Uno"), UserFactory(display_name="Dos")
    for person in (first, second):
        cohort_services.application_submit(
            cohort=cohort,
            user=person,
            answers={str(q.pk): "Evenings" for q in cohort.questions.all()},
        )
    applications = list(Application.objects.order_by("pk"))
    trainer_client.post(
        reverse("cohorts:trainer_cohort", args=[cohort.slug]),
        # The confirmation step of a bulk acceptance (who gets a place, who waits), confirmed.
        {"application": [str(a.pk) for a in applications], "decision": "accept", "confirm": "1"},
        REMOTE_ADDR=ADDRESS,
    )
    entries = list(AuditEntry.objects.filter(action="application.decided").order_by("pk"))
    assert [(e.actor_id, e.subject_id, e.address, e.detail["outcome"]) for e in entries] == [
        (trainer.pk, first.pk, ADDRESS, "accepted"),
        (trainer.pk, second.pk, ADDRESS, "waitlisted"),  # one place only
    ]
    assert entries[0].detail == {
        "cohort": cohort.pk,
        "application": applications[0].pk,
        "decision": "accept",
        "outcome": "accepted",
    }
    # Deciding again the same way changes nothing, and records nothing.
    trainer_client.post(
        reverse("cohorts:trainer_cohort", args=[cohort.slug]),
        {"application": [str(applications[0].pk)], "decision": "accept"},
    )
    assert AuditEntry.objects.filter(action="application.decided").count() == 2


def test_a_role_change_is_recorded_once(administrator, volunteer):
    user_set_roles(
        user=volunteer, roles=(Role.TRAINER,), by=administrator, request=web_request(administrator)
    )
    (entry,) = AuditEntry.objects.filter(action="account.roles_changed", subject=volunteer)
    about(entry, administrator, volunteer)
    assert entry.detail == {"added": ["trainer"], "removed": []}
    user_set_roles(user=volunteer, roles=(Role.TRAINER,), by=administrator)  # no change
    assert AuditEntry.objects.filter(action="account.roles_changed", subject=volunteer).count() == 1
    user_set_roles(user=volunteer, roles=(Role.ADMINISTRATOR,))  # a command: nobody
    latest = AuditEntry.objects.filter(action="account.roles_changed", subject=volunteer).latest(
        "pk"
    )
    assert (latest.actor_id, latest.address) == (None, None)
    assert latest.detail == {"added": ["administrator"], "removed": ["trainer"]}


def _edit_data(person, **changes) -> dict:
    data = {
        "email": person.email,
        "display_name": person.display_name,
        "is_active": "on",
        "groups": [str(pk) for pk in person.groups.values_list("pk", flat=True)],
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_an_administrators_changes_in_the_wagtail_user_form_are_recorded(client, administrator):
    person = UserFactory(email="person@example.org", display_name="Person")
    coordinators, _created = Group.objects.get_or_create(name="Coordinators")
    login_with_mfa(client, administrator)
    url = reverse("wagtailusers_users:edit", args=[person.pk])
    response = client.post(
        url,
        _edit_data(
            person,
            groups=[str(coordinators.pk)],
            is_active=None,
            email="new@example.org",
        ),
        REMOTE_ADDR=ADDRESS,
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    person.refresh_from_db()
    assert (person.email, person.is_active) == ("new@example.org", False)

    groups = only("account.groups_changed")
    about(groups, administrator, person)
    assert groups.detail == {"added": ["Coordinators"], "removed": []}
    assert only("account.active_changed").detail == {"active": False}
    email = only("account.email_changed")
    about(email, administrator, person)
    assert "example.org" not in str(email.detail)  # no addresses in the log
    # Passwords are not set in the admin (WAGTAILUSERS_PASSWORD_ENABLED = False); were they,
    # "account.password_set" would be recorded.
    assert not AuditEntry.objects.filter(action="account.password_set").exists()

    # Saving again without changes records nothing more.
    person.refresh_from_db()
    before = AuditEntry.objects.count()
    client.post(url, _edit_data(person, is_active=None), REMOTE_ADDR=ADDRESS)
    assert AuditEntry.objects.count() == before


def test_making_someone_an_administrator_in_wagtail_is_recorded(client, administrator):
    person = UserFactory(display_name="Future admin")
    login_with_mfa(client, administrator)
    client.post(
        reverse("wagtailusers_users:edit", args=[person.pk]),
        _edit_data(person, is_superuser="on"),
        REMOTE_ADDR=ADDRESS,
    )
    person.refresh_from_db()
    assert person.is_superuser
    entry = only("account.groups_changed")
    about(entry, administrator, person)
    assert entry.detail == {"added": [], "removed": [], "administrator": True}


def test_an_account_created_in_wagtail_with_a_group_is_recorded(client, administrator):
    trainers, _created = Group.objects.get_or_create(name="Trainers")
    login_with_mfa(client, administrator)
    response = client.post(
        reverse("wagtailusers_users:add"),
        {"email": "made@example.org", "display_name": "Made", "groups": [str(trainers.pk)]},
        REMOTE_ADDR=ADDRESS,
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    made = User.objects.get(email="made@example.org")
    entry = only("account.groups_changed")
    about(entry, administrator, made)
    assert entry.detail == {"added": ["Trainers"], "removed": [], "created": True}


def test_wagtails_bulk_assign_role_is_recorded_per_person_it_changes(client, administrator):
    editors, _created = Group.objects.get_or_create(name="Editors")
    new, already = UserFactory(display_name="New"), UserFactory(display_name="Already")
    already.groups.add(editors)
    login_with_mfa(client, administrator)
    url = reverse("wagtail_bulk_action", args=["training", "user", "assign_role"])
    response = client.post(
        f"{url}?id={new.pk}&id={already.pk}&next=/admin/users/",
        {"role": editors.pk},
        REMOTE_ADDR=ADDRESS,
    )
    assert response.status_code == 302
    assert set(editors.user_set.values_list("pk", flat=True)) >= {new.pk, already.pk}
    entry = only("account.groups_changed")
    about(entry, administrator, new)
    assert entry.detail["added"] == ["Editors"]


def test_wagtails_bulk_deactivation_is_recorded(client, administrator):
    person = UserFactory(display_name="Leaving")
    login_with_mfa(client, administrator)
    url = reverse("wagtail_bulk_action", args=["training", "user", "set_active_state"])
    response = client.post(
        f"{url}?id={person.pk}&next=/admin/users/", {"mark_as_active": "False"}, REMOTE_ADDR=ADDRESS
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert not person.is_active
    about(only("account.active_changed"), administrator, person)


def test_a_persons_own_email_change_is_recorded_without_the_addresses(volunteer):
    old = EmailAddress.objects.get(user=volunteer)
    new = EmailAddress.objects.create(user=volunteer, email="moved@example.org", verified=True)
    new.set_as_primary()
    email_changed.send(
        sender=EmailAddress,
        request=web_request(volunteer),
        user=volunteer,
        from_email_address=old,
        to_email_address=new,
    )
    entry = only("account.email_changed")
    about(entry, volunteer, volunteer)
    assert "example.org" not in str(entry.detail)


# --- Exports carry who they sent ------------------------------------------------------------------
def test_a_pool_export_records_who_was_in_it_and_from_where(client, coordinator):
    track = pool_track()
    members = [pool_person(track, name=f"Person {n}") for n in range(3)]
    pool_person(None, name="Not certified")  # in the pool's table, not in the pool
    login_with_mfa(client, coordinator)
    response = client.post(reverse("certificates:export_csv"), REMOTE_ADDR=ADDRESS)
    b"".join(response.streaming_content)
    entry = pool_entries().get()
    assert (entry.actor_id, entry.address, entry.count) == (coordinator.pk, ADDRESS, 3)
    assert sent_ids(entry) == {member.user_id for member in members}


def test_a_page_of_the_pool_records_the_people_it_showed(client, coordinator):
    track = pool_track()
    shown = [pool_person(track, name=f"Person {n:02d}") for n in range(3)]
    login_with_mfa(client, coordinator)
    client.get(reverse("certificates:pool_list"), REMOTE_ADDR=ADDRESS)
    entry = pool_entries().get()
    assert (entry.action, entry.address, sent(entry)) == ("pool.viewed", ADDRESS, 3)
    assert sent_ids(entry) == {member.user_id for member in shown}


# --- The coordinators' access record --------------------------------------------------------------
def _pool_entries(actor, count: int) -> None:
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(action="pool.export_csv", actor=actor, count=2, detail={"filters": {"n": n}})
            for n in range(count)
        ]
    )


def test_the_access_record_keeps_its_query_count(client, coordinator, volunteer):
    login_with_mfa(client, coordinator)
    url = reverse("certificates:access_log")
    _pool_entries(coordinator, 10)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _pool_entries(volunteer, 990)
    AuditSubject.objects.bulk_create(
        [AuditSubject(entry=entry, person=volunteer) for entry in AuditEntry.objects.all()]
    )
    with CaptureQueriesContext(connection) as large:
        page = client.get(url).content.decode()
    assert page.count("data-entry=") == 100
    assert len(large) == len(small), (len(small), len(large))


def test_the_access_record_lists_only_the_pools_entries(client, coordinator, volunteer):
    audit.record(action="certificate.revoked", actor=coordinator, subject=volunteer)
    audit.record_many(
        action="pool.viewed",
        people=[volunteer.pk],
        actor=coordinator,
        detail={"filters": {"page": 1}},
    )
    # Copied from the earlier PoolAccess by the migration: how many, not who.
    AuditEntry.objects.create(
        action="pool.export_csv",
        actor=coordinator,
        count=7,
        detail={"filters": {}, "imported_from": "certificates.PoolAccess"},
    )
    login_with_mfa(client, coordinator)
    html = client.get(reverse("certificates:access_log")).content.decode()
    assert html.count("data-entry=") == 2 and 'data-action="pool.viewed"' in html
    assert 'data-people="1"' in html and 'data-people="7"' in html


@pytest.fixture
def empty_log(coordinator, volunteer, administrator):
    """Giving the people above their roles was recorded: start from an empty log."""
    audit.purge(days=0)


# --- The administrators' Audit log report ---------------------------------------------------------
REPORT = "training_audit_log"


def _rows(html: str) -> list[str]:
    """The actions of the listed entries, in order (data-action markers)."""
    body = html[html.index('id="audit-log"') :]
    return re.findall(r'<tr data-entry="\d+" data-action="([^"]+)"', body)


def test_only_administrators_open_the_report(client, coordinator, volunteer, administrator):
    login_with_mfa(client, coordinator)  # a coordinator has the admin, not this report
    assert client.get(reverse(REPORT)).status_code == 403
    client.force_login(volunteer)  # not even the admin
    assert client.get(reverse(REPORT)).status_code != 200
    client.logout()
    assert client.get(reverse(REPORT)).status_code == 302  # to sign in
    login_with_mfa(client, administrator)
    response = client.get(reverse(REPORT))
    assert response.status_code == 200
    assert client.post(reverse(REPORT)).status_code == 405  # read-only


def test_the_report_is_in_the_reports_menu_of_administrators_only(
    client, coordinator, administrator
):
    login_with_mfa(client, administrator)
    assert reverse(REPORT) in client.get(reverse("wagtailadmin_home")).content.decode()
    login_with_mfa(client, coordinator)
    assert reverse(REPORT) not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_the_report_shows_who_what_about_whom_and_from_where(
    client, administrator, coordinator, empty_log
):
    holder = UserFactory(display_name="Holder Person")
    gone_id = User.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
    audit.record(
        action="certificate.revoked",
        actor=coordinator,
        subject=holder,
        request=web_request(coordinator),
    )
    audit.record(action="account.deleted", actor=None, subject=gone_id)
    audit.record_many(
        action="pool.export_csv",
        people=[holder.pk, coordinator.pk],
        actor=coordinator,
        detail={"filters": {"language": "es"}},
    )
    login_with_mfa(client, administrator)
    html = client.get(reverse(REPORT)).content.decode()
    assert _rows(html) == ["pool.export_csv", "account.deleted", "certificate.revoked"]
    table = html[html.index('id="audit-log"') :]
    assert "Holder Person" in table and "Coord" in table and ADDRESS in table
    assert f"#{gone_id}" in table  # a person with no row left is named by reference
    assert 'data-people="2"' in table and 'data-detail="filters"' in table
    assert "language=es" not in table  # the form's label and the language's name instead


@pytest.fixture
def log(coordinator, volunteer, administrator, empty_log):
    """Entries on known days (UTC): a revocation of Vol by Coord, an export that sent Vol, a role
    change of Coord by Root."""
    holder = volunteer

    def at(day, hour=12):
        return datetime(2026, 3, day, hour, tzinfo=UTC)

    revoked = AuditEntry.objects.create(
        action="certificate.revoked", actor=coordinator, subject=holder, at=at(2)
    )
    export = AuditEntry.objects.create(
        action="pool.export_csv", actor=coordinator, count=1, at=at(5)
    )
    audit.add_subjects(export, [holder.pk])
    roles = AuditEntry.objects.create(
        action="account.roles_changed", actor=administrator, subject=coordinator, at=at(9, hour=23)
    )
    return {"revoked": revoked, "export": export, "roles": roles}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["account.roles_changed", "pool.export_csv", "certificate.revoked"]),
        ({"actor": "coord"}, ["pool.export_csv", "certificate.revoked"]),  # display name
        ({"actor": "root@example"}, ["account.roles_changed"]),  # email address
        (
            {"subject": "vol@example.org"},
            ["pool.export_csv", "certificate.revoked"],
        ),  # in an export
        ({"subject": "Coord"}, ["account.roles_changed"]),
        ({"action": "pool.export_csv"}, ["pool.export_csv"]),
        ({"date_from": "2026-03-03"}, ["account.roles_changed", "pool.export_csv"]),
        ({"date_to": "2026-03-05"}, ["pool.export_csv", "certificate.revoked"]),
        ({"date_from": "2026-03-03", "date_to": "2026-03-04"}, []),
        (
            {"actor": "coord", "subject": "vol", "action": "certificate.revoked"},
            ["certificate.revoked"],
        ),
        ({"date_from": "2026-03-05", "date_to": "2026-03-01"}, []),  # in error: nothing, not all
        ({"date_to": "9999-12-31"}, []),  # beyond the bounds: an error, not a 500
        ({"date_from": "0001-01-01"}, []),
        ({"actor": "#99999999999999999999"}, []),  # too long for an id: a search, no overflow
    ],
)
def test_the_reports_filters(client, administrator, log, query, expected):
    login_with_mfa(client, administrator)
    response = client.get(reverse(REPORT), query)
    assert response.status_code == 200
    assert _rows(response.content.decode()) == expected


def test_the_reports_days_are_the_viewers(client, administrator, log):
    # 23:00 UTC on 9 March is already 10 March in Auckland (UTC+13 in March).
    User.objects.filter(pk=administrator.pk).update(time_zone="Pacific/Auckland")
    login_with_mfa(client, administrator)
    html = client.get(reverse(REPORT), {"date_from": "2026-03-10"}).content.decode()
    assert _rows(html) == ["account.roles_changed"]
    assert "(Auckland, New Zealand)" in html
    assert _rows(client.get(reverse(REPORT), {"date_to": "2026-03-09"}).content.decode()) == [
        "pool.export_csv",
        "certificate.revoked",
    ]


def test_the_report_filters_by_a_former_members_reference(client, administrator):
    audit.record(action="account.deleted", actor=administrator, subject=987654)
    audit.record(action="account.deleted", actor=administrator, subject=987655)
    login_with_mfa(client, administrator)
    html = client.get(reverse(REPORT), {"subject": "#987654"}).content.decode()
    assert _rows(html) == ["account.deleted"] and "#987654" in html


def _many(actor, subject, count: int) -> None:
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                action="certificate.revoked",
                actor=actor,
                subject=subject,
                address=ADDRESS,
                detail={"track": n},
            )
            for n in range(count)
        ]
    )


@pytest.mark.parametrize(
    "query",
    [
        {},
        {
            "actor": "coord",
            "subject": "vol",
            "date_from": "2020-01-01",
            "action": "certificate.revoked",
        },
    ],
)
def test_the_report_keeps_its_query_count_and_pages_by_50(
    client, administrator, coordinator, volunteer, empty_log, query
):
    login_with_mfa(client, administrator)
    url = reverse(REPORT)
    _many(coordinator, volunteer, 10)
    client.get(url, query)
    with CaptureQueriesContext(connection) as small:
        assert len(_rows(client.get(url, query).content.decode())) == 10
    _many(coordinator, volunteer, 990)
    with CaptureQueriesContext(connection) as large:
        html = client.get(url, query).content.decode()
    assert len(_rows(html)) == 50
    assert len(large) == len(small), (len(small), len(large))
    last = client.get(url, {**query, "page": 20}).content.decode()
    assert len(_rows(last)) == 50 and 'rel="next"' not in last and 'rel="prev"' in last


def test_nothing_in_the_admin_adds_changes_or_deletes_entries():
    assert AuditEntry not in get_snippet_models()
    assert AuditSubject not in get_snippet_models()
    names = {pattern.name for pattern in _admin_patterns() if pattern.name}
    assert not {name for name in names if "audit" in name} - {REPORT}


def _admin_patterns():
    def walk(patterns):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                yield from walk(pattern.url_patterns)
            else:
                yield pattern

    return list(walk(get_resolver().url_patterns))
