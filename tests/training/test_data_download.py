"""Download my data (/accounts/data/): the archive built from the privacy registry, its page,
its expiring link (owner only), its failures and limits, and the audit entry of each download."""

import io
import json
import os
import re
import uuid
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from certificates.models import (
    AgreementSignature,
    CertificationEvent,
    CertificationRequest,
    EligibilitySnapshot,
)
from cohorts.models import Application, Attendance, CalendarFeed, ScreeningQuestion, SkillSignOff
from courses.factories import make_course
from courses.models import (
    ActivityCompletion,
    CourseProgress,
    Enrolment,
    H5PActivity,
    H5PStatement,
    ModuleProgress,
    QuizAttempt,
    Reflection,
)
from courses.personal_data import NO_LONGER_IN_THE_MODULE
from tests.certificates.factories import (
    join,
    make_agreement,
    make_certificate,
    make_cohort,
    make_session,
    make_skill,
    make_track,
)
from tests.certificates.pool_factories import PoolMemberFactory
from tests.helpers import content
from training import audit, data_download, privacy
from training.factories import UserFactory
from training.models import AuditEntry, DataDownload, NotificationLog, NotificationOptOut
from training.roles import Role
from training.storage import PrivateFileSystemStorage
from training.tasks import purge_data_downloads

pytestmark = pytest.mark.django_db

PAGE = reverse("account_data")
NOON = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def members(archive: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        return {name: opened.read(name) for name in opened.namelist()}


class StoredPdf:
    """What a declaration's `files` yields: something with `open("rb")` (a FieldFile)."""

    def __init__(self, name, data=b"%PDF-1.7 test"):
        self.storage = PrivateFileSystemStorage()
        self.name = self.storage.save(name, ContentFile(data))

    def open(self, mode="rb"):
        return self.storage.open(self.name, mode)


@pytest.fixture
def registry(monkeypatch):
    """A registry of our own: two categories, rows with times, nested values, another person by
    display name, and a file (the real declarations are tested at the end of this file)."""
    pdf = StoredPdf("certificates/ABC-123.pdf")

    def attempts(person):
        yield {"quiz": "Listening", "score": 8, "submitted_at": NOON, "answers": {"q1": ["a"]}}
        yield {"quiz": "Safety", "score": None, "submitted_at": NOON.isoformat(), "passed": True}

    def certificates(person):
        return [{"code": "ABC-123", "approved_by": "Coordinator C", "issued_on": NOON.date()}]

    declarations = {
        "courses.QuizAttempt": privacy.Declaration(
            model="courses.QuizAttempt",
            title="T1",
            category="learning",
            holds="Quiz answers",
            purpose="To give feedback",
            seen_by="You and your trainers",
            export=attempts,
        ),
        "certificates.Certificate": privacy.Declaration(
            model="certificates.Certificate",
            title="T2",
            category="certification",
            holds="Certificates",
            purpose="To prove",
            seen_by="Anyone with the code",
            export=certificates,
            files=lambda person: [("certificates/ABC-123.pdf", pdf), ("../../../etc/passwd", pdf)],
        ),
        "cohorts.Membership": privacy.Declaration(
            model="cohorts.Membership",
            title="T3",
            category="cohorts",
            holds="Memberships",
            purpose="To train together",
            seen_by="Trainers",
        ),
    }
    monkeypatch.setattr(privacy, "REGISTRY", declarations)
    return declarations


@pytest.fixture
def person(db):
    return UserFactory(
        email="ana@example.org",
        display_name="Ana",
        legal_name="Ana Legal",
        preferred_language="es",
        time_zone="America/Mexico_City",
    )


@pytest.fixture
def signed_in(client, person):
    client.force_login(person)
    return client


def ask(client, capture, *, execute=True) -> DataDownload:
    with capture(execute=execute):
        response = client.post(PAGE)
    assert response.status_code == 302 and response["Location"] == PAGE
    return DataDownload.objects.order_by("-pk").first()


def archive_of(client, download) -> dict[str, bytes]:
    response = client.get(reverse("account_data_download", args=[download.pk]))
    assert response.status_code == 200
    return members(content(response))


def page_of(client) -> str:
    response = client.get(PAGE)
    assert response.status_code == 200
    return response.content.decode()


def status_on(html: str) -> str:
    return re.search(r'id="data-download"[^>]*data-status="([^"]*)"', html).group(1)


# --- The archive --------------------------------------------------------------------------------
def test_the_archive_holds_a_json_file_per_category_the_index_and_the_files(
    signed_in, person, registry, django_capture_on_commit_callbacks
):
    download = ask(signed_in, django_capture_on_commit_callbacks)
    download.refresh_from_db()
    assert download.status == DataDownload.Status.READY
    assert (download.done, download.total, download.percent) == (3, 3, 100)
    assert download.size > 0 and download.finished_at is not None
    # Stored privately (this test's private root), never under MEDIA_ROOT.
    assert download.file.path.startswith(str(settings.ACOMPANA_PRIVATE_ROOT))

    files = archive_of(signed_in, download)
    assert set(files) == {
        "index.html",
        "learning.json",
        "cohorts.json",
        "certification.json",
        "files/certificates/ABC-123.pdf",
        "files/etc/passwd",
    }
    assert files["files/certificates/ABC-123.pdf"] == b"%PDF-1.7 test"

    learning = json.loads(files["learning.json"])
    assert set(learning) == {"category", "generated_at", "data"}
    assert learning["generated_at"].endswith("-06:00")  # the person's zone
    attempts = learning["data"]["courses.QuizAttempt"]
    assert attempts["holds"] == "Quiz answers"
    assert attempts["rows"][0] == {
        "quiz": "Listening",
        "score": 8,
        "submitted_at": "2026-03-01T06:00:00-06:00",
        "answers": {"q1": ["a"]},
    }
    # Times a declaration wrote as ISO text in another zone read in the person's too.
    assert attempts["rows"][1]["submitted_at"] == "2026-03-01T06:00:00-06:00"
    assert attempts["rows"][1]["passed"] is True
    certification = json.loads(files["certification.json"])
    assert certification["data"]["certificates.Certificate"]["rows"] == [
        {"code": "ABC-123", "approved_by": "Coordinator C", "issued_on": "2026-03-01"}
    ]
    assert json.loads(files["cohorts.json"])["data"]["cohorts.Membership"]["rows"] == []


def test_the_index_opens_offline_in_the_persons_language_and_zone(
    signed_in, person, registry, django_capture_on_commit_callbacks
):
    download = ask(signed_in, django_capture_on_commit_callbacks)
    files = archive_of(signed_in, download)
    index = files["index.html"].decode()

    assert re.search(r'<html lang="es" dir="ltr">', index)
    # Nothing it loads or links to leaves the archive: no script, no stylesheet or image from
    # anywhere, every link a section of the page or a file inside the ZIP.
    assert "<script" not in index and "<link" not in index and "<img" not in index
    assert " src=" not in index and "url(" not in index and "@import" not in index
    links = re.findall(r'href="([^"]*)"', index)
    assert links
    for link in links:
        assert link.startswith("#") or link in files, link
    assert "learning.json" in links and "files/certificates/ABC-123.pdf" in links
    assert not re.search(r"(?i)(https?:)?//", " ".join(links))
    # A heading per category, a table of the rows, what each kind holds and why.
    assert index.count('<h2 id="heading-') == 3
    assert "<table>" in index and "Listening" in index and "Coordinator C" in index
    assert "Quiz answers" in index and "To give feedback" in index
    # Times in the person's zone, named.
    assert "(Ciudad de México)" in index
    assert "06:00" in index


def test_an_arabic_speakers_index_reads_right_to_left(
    client, registry, django_capture_on_commit_callbacks
):
    reader = UserFactory(preferred_language="ar")
    client.force_login(reader)
    download = ask(client, django_capture_on_commit_callbacks)
    index = archive_of(client, download)["index.html"].decode()
    assert '<html lang="ar" dir="rtl">' in index


def test_a_long_history_is_in_the_json_and_the_index_shows_the_first_rows(
    signed_in, person, registry, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(data_download, "HTML_ROWS", 5)

    def many(person):
        for number in range(12):
            yield {"statement": {"verb": "answered", "n": number}}

    monkeypatch.setitem(
        registry,
        "courses.QuizAttempt",
        privacy.Declaration(
            model="courses.QuizAttempt",
            title="T4",
            category="learning",
            holds="H",
            purpose="P",
            seen_by="S",
            export=many,
        ),
    )
    files = archive_of(signed_in, ask(signed_in, django_capture_on_commit_callbacks))
    rows = json.loads(files["learning.json"])["data"]["courses.QuizAttempt"]["rows"]
    assert [row["statement"]["n"] for row in rows] == list(range(12))
    index = files["index.html"].decode()
    assert index.count("&quot;verb&quot;: &quot;answered&quot;") == 5


def test_a_missing_file_is_named_in_the_index_and_does_not_fail_the_archive(
    signed_in, person, registry, django_capture_on_commit_callbacks
):
    lost = StoredPdf("certificates/LOST.pdf")
    lost.storage.delete(lost.name)
    registry["certificates.Certificate"] = privacy.Declaration(
        model="certificates.Certificate",
        title="T5",
        category="certification",
        holds="C",
        purpose="P",
        seen_by="S",
        files=lambda person: [("certificates/LOST.pdf", lost)],
    )
    download = ask(signed_in, django_capture_on_commit_callbacks)
    download.refresh_from_db()
    assert download.status == DataDownload.Status.READY
    files = archive_of(signed_in, download)
    assert "files/certificates/LOST.pdf" not in files
    assert "LOST.pdf" in files["index.html"].decode()


# --- Asking, progress, limits -------------------------------------------------------------------
def test_the_page_shows_progress_while_the_archive_is_prepared(
    signed_in, person, registry, django_capture_on_commit_callbacks
):
    html = page_of(signed_in)
    assert status_on(html) == "" and 'id="data-download-ask"' in html
    assert 'http-equiv="refresh"' not in html

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        signed_in.post(PAGE)
    assert len(callbacks) == 1  # queued only once the request commits
    download = DataDownload.objects.get()
    assert download.status == DataDownload.Status.PENDING
    assert download.expires_at > timezone.now() + timedelta(
        hours=settings.ACOMPANA_DATA_DOWNLOAD_HOURS - 1
    )
    html = page_of(signed_in)
    assert status_on(html) == "pending" and 'http-equiv="refresh"' in html
    assert '<progress max="100" value="0"' in html
    assert 'id="data-download-ask"' not in html  # one at a time
    download_url = reverse("account_data_download", args=[download.pk])
    assert download_url not in html
    assert signed_in.get(download_url).status_code == 404

    DataDownload.objects.filter(pk=download.pk).update(
        status="running", total=3, done=1, started_at=timezone.now()
    )
    html = page_of(signed_in)
    assert status_on(html) == "running" and 'value="33"' in html

    callbacks[0]()  # the worker's turn
    html = page_of(signed_in)
    assert status_on(html) == "ready" and download_url in html
    assert 'http-equiv="refresh"' not in html
    assert "(UTC)" not in html and "(Ciudad de México)" in html  # the expiry in the viewer's zone


def test_asking_twice_while_it_is_prepared_makes_one_archive(
    signed_in, person, registry, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        signed_in.post(PAGE)
        signed_in.post(PAGE)
    assert DataDownload.objects.count() == 1
    assert len(callbacks) == 1


def test_a_person_may_ask_a_few_times_a_day(
    signed_in, person, registry, django_capture_on_commit_callbacks
):
    limit = settings.ACOMPANA_DATA_DOWNLOADS_PER_DAY
    for _number in range(limit):
        ask(signed_in, django_capture_on_commit_callbacks)
    assert DataDownload.objects.filter(status="ready").count() == limit
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(PAGE, follow=True)
    assert DataDownload.objects.count() == limit
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    # A day later, again.
    DataDownload.objects.update(created_at=timezone.now() - timedelta(days=1, minutes=1))
    ask(signed_in, django_capture_on_commit_callbacks)
    assert DataDownload.objects.count() == limit + 1


def test_the_page_needs_a_signed_in_person(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert client.post(PAGE).status_code == 302
    assert not DataDownload.objects.exists()


def test_the_profile_links_to_the_page(signed_in):
    html = page_of(signed_in)
    assert 'data-status=""' in html
    profile = signed_in.get(reverse("profile")).content.decode()
    assert f'href="{PAGE}"' in profile


def test_the_status_page_makes_the_same_queries_whatever_the_history(signed_in, person, registry):
    def make(count):
        DataDownload.objects.bulk_create(
            [
                DataDownload(
                    person=person,
                    status="ready",
                    file=f"data-downloads/{n}.zip",
                    expires_at=timezone.now() + timedelta(hours=1),
                    size=10,
                )
                for n in range(count)
            ]
        )

    make(1)
    page_of(signed_in)  # warm the session
    with CaptureQueriesContext(connection) as few:
        page_of(signed_in)
    make(30)
    with CaptureQueriesContext(connection) as many:
        page_of(signed_in)
    assert len(few) == len(many)


# --- The link: owner only, expiry, audit --------------------------------------------------------
def test_only_the_person_may_download_their_archive(
    client, signed_in, person, registry, django_capture_on_commit_callbacks
):
    download = ask(signed_in, django_capture_on_commit_callbacks)
    url = reverse("account_data_download", args=[download.pk])
    other = UserFactory()
    client.force_login(other)
    assert client.get(url).status_code == 404
    assert url not in page_of(client)
    assert (
        client.get(reverse("account_data_download", args=[download.pk + 1000])).status_code == 404
    )
    client.logout()
    assert client.get(url).status_code == 302
    assert not AuditEntry.objects.exists()


def test_each_download_is_recorded_in_the_audit_log(
    signed_in, person, registry, django_capture_on_commit_callbacks
):
    download = ask(signed_in, django_capture_on_commit_callbacks)
    response = signed_in.get(
        reverse("account_data_download", args=[download.pk]), REMOTE_ADDR="203.0.113.9"
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert (
        "attachment" in response["Content-Disposition"]
        and ".zip" in response["Content-Disposition"]
    )
    content(response)
    archive_of(signed_in, download)
    entries = list(AuditEntry.objects.order_by("pk"))
    assert [(e.action, e.actor_id, e.subject_id) for e in entries] == [
        ("account.data_downloaded", person.pk, person.pk)
    ] * 2
    assert entries[0].address == "203.0.113.9"
    assert entries[0].detail == {"download": download.pk}


def test_an_expired_link_no_longer_downloads_and_the_file_is_purged(
    signed_in, person, registry, django_capture_on_commit_callbacks
):
    download = ask(signed_in, django_capture_on_commit_callbacks)
    download.refresh_from_db()
    url = reverse("account_data_download", args=[download.pk])
    assert signed_in.get(url).status_code == 200
    path = download.file.path
    assert data_download.data_downloads_purge() == 0  # not yet

    DataDownload.objects.filter(pk=download.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert signed_in.get(url).status_code == 404
    html = page_of(signed_in)
    assert status_on(html) == "expired" and url not in html
    assert 'id="data-download-ask"' in html

    assert data_download.data_downloads_purge() == 1
    download.refresh_from_db()
    assert not download.file and download.status == DataDownload.Status.READY

    assert not os.path.exists(path)
    assert data_download.data_downloads_purge() == 0  # safe to rerun


def test_the_purge_task_runs_by_name(person, registry):
    storage = PrivateFileSystemStorage()
    name = storage.save("data-downloads/old.zip", ContentFile(b"zip"))
    DataDownload.objects.create(
        person=person, status="ready", file=name, expires_at=timezone.now() - timedelta(hours=1)
    )
    assert purge_data_downloads.name == "training.tasks.purge_data_downloads"
    assert purge_data_downloads.delay().get() == 1
    assert not storage.exists(name)


# --- Idempotence and failures -------------------------------------------------------------------
def test_building_twice_changes_nothing(
    signed_in, person, registry, django_capture_on_commit_callbacks
):
    download = ask(signed_in, django_capture_on_commit_callbacks)
    download.refresh_from_db()
    name, finished = download.file.name, download.finished_at
    assert data_download.build(download.pk) == "ready"
    download.refresh_from_db()
    assert (download.file.name, download.finished_at) == (name, finished)
    assert data_download.build(download.pk + 1000) == "gone"


def test_a_lost_worker_s_download_is_built_again(person, registry):
    """acks_late: a worker lost mid-build leaves it running; the redelivered task rebuilds."""
    download = DataDownload.objects.create(
        person=person,
        status="running",
        done=1,
        total=3,
        started_at=timezone.now(),
        expires_at=timezone.now() + timedelta(hours=1),
    )
    assert data_download.build(download.pk) == "built"
    download.refresh_from_db()
    assert download.status == DataDownload.Status.READY and download.file


def test_a_failed_build_is_shown_and_may_be_asked_again(
    signed_in, person, registry, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(person):
        raise RuntimeError("disk full")
        yield  # pragma: no cover

    monkeypatch.setitem(
        registry,
        "courses.QuizAttempt",
        privacy.Declaration(
            model="courses.QuizAttempt",
            title="T6",
            category="learning",
            holds="H",
            purpose="P",
            seen_by="S",
            export=broken,
        ),
    )
    download = ask(signed_in, django_capture_on_commit_callbacks)
    download.refresh_from_db()
    assert download.status == DataDownload.Status.FAILED and not download.file
    assert download.error == "error" and download.finished_at is not None
    html = page_of(signed_in)
    assert status_on(html) == "failed" and 'role="alert"' in html
    assert 'http-equiv="refresh"' not in html and 'id="data-download-ask"' in html
    assert signed_in.get(reverse("account_data_download", args=[download.pk])).status_code == 404
    # No half-written archive left behind.
    assert not list(settings.ACOMPANA_PRIVATE_ROOT.glob("data-downloads/*"))

    registry["courses.QuizAttempt"] = privacy.Declaration(
        model="courses.QuizAttempt",
        title="T7",
        category="learning",
        holds="H",
        purpose="P",
        seen_by="S",
    )
    again = ask(signed_in, django_capture_on_commit_callbacks)
    assert again.pk != download.pk
    again.refresh_from_db()
    assert again.status == DataDownload.Status.READY
    # Failed ones do not count against the daily limit.
    assert status_on(page_of(signed_in)) == "ready"


def test_a_download_stuck_being_prepared_is_shown_failed_and_may_be_asked_again(
    signed_in, person, registry, django_capture_on_commit_callbacks
):
    long_ago = timezone.now() - data_download.STUCK_AFTER - timedelta(seconds=1)
    stuck = DataDownload.objects.create(
        person=person,
        status="running",
        started_at=long_ago,
        created_at=long_ago,
        total=3,
        done=1,
        expires_at=timezone.now() + timedelta(hours=1),
    )
    html = page_of(signed_in)
    assert status_on(html) == "failed" and 'http-equiv="refresh"' not in html
    assert 'id="data-download-ask"' in html

    again = ask(signed_in, django_capture_on_commit_callbacks)
    assert again.pk != stuck.pk
    stuck.refresh_from_db()
    assert (stuck.status, stuck.error) == ("failed", "lost")
    # The lost task, delivered again late, leaves it alone.
    assert data_download.build(stuck.pk) == "failed"
    assert status_on(page_of(signed_in)) == "ready"


def test_one_still_waiting_after_an_hour_is_shown_failed(signed_in, person, registry):
    DataDownload.objects.create(
        person=person,
        status="pending",
        created_at=timezone.now() - timedelta(hours=1, minutes=1),
        expires_at=timezone.now() + timedelta(hours=1),
    )
    assert status_on(page_of(signed_in)) == "failed"


def test_a_download_that_ran_past_its_time_limit_is_reported_failed(person, registry, monkeypatch):
    def slow(person):
        raise SoftTimeLimitExceeded()

    monkeypatch.setitem(
        registry,
        "courses.QuizAttempt",
        privacy.Declaration(
            model="courses.QuizAttempt",
            title="T8",
            category="learning",
            holds="H",
            purpose="P",
            seen_by="S",
            export=slow,
        ),
    )
    download = DataDownload.objects.create(
        person=person, expires_at=timezone.now() + timedelta(hours=1)
    )
    assert data_download.build(download.pk) == "failed"
    download.refresh_from_db()
    assert (download.status, download.error) == ("failed", "timeout")


def test_the_archive_speaks_the_persons_language_whoever_asks(person, registry, monkeypatch):
    """Built by a worker in another language, the archive is still in the person's."""
    monkeypatch.setitem(
        registry,
        "courses.QuizAttempt",
        privacy.Declaration(
            model="courses.QuizAttempt",
            title="T9",
            category="learning",
            holds=gettext_lazy("Your account"),
            purpose="P",
            seen_by="S",
        ),
    )
    handle = io.BytesIO()
    with translation.override("fr"):
        data_download.write_archive(handle, person)
    files = members(handle.getvalue())
    assert '<html lang="es"' in files["index.html"].decode()
    holds = json.loads(files["learning.json"])["data"]["courses.QuizAttempt"]["holds"]
    with translation.override("es"):
        assert holds == str(gettext_lazy("Your account"))


# --- The real registry: a person with data in every category ------------------------------------
def _data_of(person, *, other, marker: str, cohort, session, skill, track, agreement, module):
    """Rows of `person` in every category, with `marker` in each free text; `other` acts on
    them (decides, marks, signs off, approves, exports)."""
    course = module.get_parent().specific
    Enrolment.objects.create(user=person, course=course, source="cohort")
    ModuleProgress.objects.create(user=person, module=module, course=course)
    QuizAttempt.objects.create(
        user=person,
        module=module,
        activity_id="quiz",
        number=1,
        score=50,
        passed=False,
        answers={"q1": [f"{marker}-QUIZ-ANSWER"]},
        results={"q1": False},
    )
    Reflection.objects.create(
        user=person,
        module=module,
        activity_id="reflection",
        text=f"{marker}-DRAFT",
        submitted_text=f"{marker}-SUBMITTED",
        shared_with_trainers=True,
        submitted_at=timezone.now(),
    )
    activity, _created = H5PActivity.objects.get_or_create(
        title="True or false",
        defaults={
            "language": "en",
            "package": "uploads/tf.h5p",
            "status": H5PActivity.Status.READY,
        },
    )
    H5PStatement.objects.create(
        id=uuid.uuid4(),
        user=person,
        module=module,
        activity_id="h5p",
        h5p_activity=activity,
        verb="http://adlnet.gov/expapi/verbs/answered",
        raw={"result": {"response": f"{marker}-H5P-RESPONSE"}},
    )
    question = cohort.questions.first()
    Application.objects.create(
        cohort=cohort,
        user=person,
        status=Application.Status.ACCEPTED,
        answers={str(question.pk): f"{marker}-APPLICATION-ANSWER"},
        decided_by=other,
        decided_at=timezone.now(),
    )
    join(cohort, person)
    Attendance.objects.create(
        session=session, user=person, status="present", marked_by=other, marked_at=timezone.now()
    )
    SkillSignOff.objects.create(skill=skill, user=person, cohort=cohort, signed_by=other)
    AgreementSignature.objects.create(user=person, version=agreement.versions.first())
    certificate = make_certificate(
        person, track, approved_by=other, name_on_certificate=person.legal_name
    )
    certificate.pdf.save(f"{certificate.code}.pdf", ContentFile(f"%PDF {marker}".encode()))
    PoolMemberFactory(
        user=person,
        contact_phone=f"+52 {marker}-PHONE",
        share_email=True,
        share_phone=True,
        share_other=True,
    )
    NotificationLog.objects.create(user=person, key=f"reminder:{marker}", kind="session_reminder")
    audit.record(action="certificate.approved", actor=other, subject=person)
    return certificate


def _people_with_data_everywhere(*, more=False):
    """Ana, with rows in every category, and Otra (a trainer) with her own and acting on
    Ana's (`more`: Ana has rows of still more kinds). Returns (ana, other, Ana's certificate)."""
    assert "courses.QuizAttempt" in privacy.REGISTRY  # the apps' declarations are loaded
    ana = UserFactory(
        email="ana@example.org",
        display_name="Ana",
        legal_name="Ana Legal Name",
        preferred_language="es",
        time_zone="America/Mexico_City",
    )
    other = UserFactory(
        email="otra.persona@example.org",
        display_name="Otra",
        legal_name="Otra Secreta Legal",
        roles=[Role.TRAINER],
    )
    _course, (module,) = make_course("privacy-course", modules=1)
    track = make_track()
    cohort = make_cohort(track, trainer=other)
    ScreeningQuestion.objects.create(cohort=cohort, text="Why do you want to join?")
    session = make_session(cohort, title="Listening practice")
    skill = make_skill(cohort, name="Active listening")
    agreement = make_agreement(title="Confidentiality")
    shared = {
        "cohort": cohort,
        "session": session,
        "skill": skill,
        "track": track,
        "agreement": agreement,
        "module": module,
    }
    certificate = _data_of(ana, other=other, marker="ANA", **shared)
    _data_of(other, other=ana, marker="OTRA", **shared)
    # An export that included both of them (a coordinator's): Ana sees it, not who else.
    audit.record_many(action="pool.export_csv", people=[ana.pk, other.pk], actor=other)

    if more:
        _more_of(ana, other=other, track=track, module=module)
    return ana, other, certificate


def _more_of(person, *, other, track, module):
    """Rows of the kinds `_data_of` leaves out, so that every export shows its keys."""
    course = module.get_parent().specific
    ActivityCompletion.objects.create(user=person, module=module, activity_id="quiz", kind="quiz")
    CourseProgress.objects.create(user=person, course=course, last_module=module)
    CalendarFeed.objects.create(user=person, token_hash="f" * 64)
    NotificationOptOut.objects.create(user=person, kind="nudge")
    EligibilitySnapshot.objects.create(user=person, track=track, path="p", met=1, total=2,
                                       eligible=False)  # fmt: skip
    CertificationRequest.objects.create(user=person, track=track, period=1, decided_by=other)
    kind = CertificationEvent.Kind.values[0]
    CertificationEvent.objects.create(user=person, track=track, kind=kind, actor=other)


def test_the_archive_of_a_person_with_data_everywhere_holds_it_all_and_nothing_of_anyone_else(
    client, django_capture_on_commit_callbacks
):
    ana, _other, certificate = _people_with_data_everywhere()
    client.force_login(ana)
    download = ask(client, django_capture_on_commit_callbacks)
    download.refresh_from_db()
    assert download.status == DataDownload.Status.READY, download.error
    files = archive_of(client, download)

    categories = {category.key for category, _declarations in privacy.by_category()}
    assert {f"{key}.json" for key in categories} | {"index.html"} <= set(files)
    assert files[f"files/certificates/{certificate.code}.pdf"] == b"%PDF ANA"
    data = {}
    for key in categories:
        document = json.loads(files[f"{key}.json"])
        data.update({label: kind["rows"] for label, kind in document["data"].items()})

    for label in (
        "training.User",
        "account.EmailAddress",
        "courses.Enrolment",
        "courses.ModuleProgress",
        "courses.QuizAttempt",
        "courses.Reflection",
        "courses.H5PStatement",
        "cohorts.Application",
        "cohorts.Membership",
        "cohorts.Attendance",
        "cohorts.SkillSignOff",
        "certificates.AgreementSignature",
        "certificates.Certificate",
        "certificates.PoolMember",
        "training.NotificationLog",
        "training.AuditEntry",
        "training.DataDownload",
    ):
        assert data[label], f"{label}: no rows in the archive"
    by_category = {key: files[f"{key}.json"].decode() for key in categories}
    for key, marker in (
        ("learning", "ANA-QUIZ-ANSWER"),
        ("learning", "ANA-DRAFT"),
        ("learning", "ANA-SUBMITTED"),
        ("learning", "ANA-H5P-RESPONSE"),
        ("cohorts", "ANA-APPLICATION-ANSWER"),
        ("cohorts", "Listening practice"),
        ("cohorts", "Active listening"),
        ("certification", "Confidentiality"),
        ("certification", certificate.code),
        ("certification", "ANA-PHONE"),
        ("account", "ana@example.org"),
        ("account", "Ana Legal Name"),
    ):
        assert marker in by_category[key], (key, marker)
    actions = {row.get("action") for row in data["training.AuditEntry"]}
    with translation.override("es"):
        assert {
            str(audit.ACTIONS[a]) for a in ("certificate.approved", "pool.export_csv")
        } <= actions
    index = files["index.html"].decode()
    assert "ANA-SUBMITTED" in index and f"files/certificates/{certificate.code}.pdf" in index

    # The other person appears by display name at most: never their email, legal name or data.
    whole = b"".join(files.values())
    for secret in ("otra.persona@example.org", "Otra Secreta Legal", "OTRA-"):
        assert secret.encode() not in whole, secret
    assert b"Otra" in whole  # by display name (who decided, marked, signed off, approved)


def test_deleting_the_account_removes_the_archives_and_their_records(person, registry):
    storage = PrivateFileSystemStorage()
    name = storage.save("data-downloads/mine.zip", ContentFile(b"zip"))
    DataDownload.objects.create(
        person=person, status="ready", file=name, expires_at=timezone.now() + timedelta(hours=1)
    )
    DataDownload.objects.create(
        person=person, status="failed", expires_at=timezone.now() + timedelta(hours=1)
    )
    kept = DataDownload.objects.create(
        person=UserFactory(), status="pending", expires_at=timezone.now() + timedelta(hours=1)
    )
    assert data_download.DATA_DOWNLOADS.erase_rows(person) == 2
    assert not storage.exists(name)
    assert list(DataDownload.objects.all()) == [kept]


def test_an_archive_whose_record_went_meanwhile_leaves_no_file(person, registry, monkeypatch):
    """The account was deleted while its archive was being built: the file is not kept."""
    download = DataDownload.objects.create(
        person=person, expires_at=timezone.now() + timedelta(hours=1)
    )
    real = data_download.write_archive

    def then_erased(handle, who, current=None):
        real(handle, who, current)
        data_download.data_downloads_erase(who)

    monkeypatch.setattr(data_download, "write_archive", then_erased)
    assert data_download.build(download.pk) == "abandoned"
    assert not list(settings.ACOMPANA_PRIVATE_ROOT.glob("data-downloads/*"))


def test_rows_with_many_columns_are_shown_one_record_at_a_time(
    signed_in, person, registry, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(data_download, "HTML_ROWS", 2)

    def wide(person):
        for number in range(3):
            yield {f"field_{column}": f"v{number}-{column}" for column in range(12)}

    registry["courses.QuizAttempt"] = privacy.Declaration(
        model="courses.QuizAttempt",
        title="T10",
        category="learning",
        holds="H",
        purpose="P",
        seen_by="S",
        export=wide,
    )
    files = archive_of(signed_in, ask(signed_in, django_capture_on_commit_callbacks))
    index = files["index.html"].decode()
    assert index.count('<table class="record">') == 2
    assert '<th scope="row">Field 11</th><td>v1-11</td>' in index
    assert "v2-0" not in index  # past HTML_ROWS: in the JSON only, as the page says
    assert 'data-more="3"' in index  # the page says the JSON file holds them all
    rows = json.loads(files["learning.json"])["data"]["courses.QuizAttempt"]["rows"]
    assert [row["field_0"] for row in rows] == ["v0-0", "v1-0", "v2-0"]


# --- What a person reads in index.html ------------------------------------------------------------
# Data kept as it arrived (an H5P statement, an activity's saved state, an export's filters):
# shown as JSON, its keys are not headings.
MACHINE_DATA = {"raw", "data", "filters"}


def _unlabelled(declaration, row: dict) -> list[str]:
    missing = []
    for key, value in row.items():
        if declaration.hidden(key):
            continue
        if declaration.label(key) is None:
            missing.append(f"{declaration.model}: {key}")
        if key in MACHINE_DATA:
            continue
        nested = [value] if isinstance(value, dict) else value if isinstance(value, list) else []
        for item in nested:
            if isinstance(item, dict):
                missing += _unlabelled(declaration, item)
    return missing


def test_every_key_an_export_returns_has_a_translated_heading():
    """index.html heads each column with a translated label (the declaration's `labels` or
    privacy.LABELS), never the JSON key; a new export key without one fails here."""
    ana, _other, _certificate = _people_with_data_everywhere(more=True)
    missing, covered = [], set()
    with translation.override("es"), timezone.override("America/Mexico_City"):
        for declaration in privacy.declarations():
            for row in declaration.export_rows(ana):
                covered.add(declaration.model)
                missing += _unlabelled(declaration, row)
    assert missing == [], "\n".join(sorted(set(missing)))
    expected = {
        "training.User", "account.EmailAddress", "training.AuditEntry", "courses.Enrolment",
        "courses.ModuleProgress", "courses.ActivityCompletion", "courses.CourseProgress",
        "courses.QuizAttempt", "courses.Reflection", "courses.H5PStatement",
        "cohorts.Application", "cohorts.Membership", "cohorts.Attendance", "cohorts.SkillSignOff",
        "cohorts.CalendarFeed", "training.NotificationLog", "training.NotificationOptOut",
        "certificates.AgreementSignature", "certificates.Certificate",
        "certificates.CertificationRequest", "certificates.EligibilitySnapshot",
        "certificates.CertificationEvent", "certificates.PoolMember",
    }  # fmt: skip
    assert expected <= covered, expected - covered


def test_the_index_reads_in_the_persons_language_with_titles_labels_and_words_not_codes():
    ana, _other, _certificate = _people_with_data_everywhere(more=True)
    download = DataDownload.objects.create(
        person=ana,
        status=DataDownload.Status.RUNNING,
        expires_at=timezone.now() + timedelta(hours=1),
    )
    handle = io.BytesIO()
    before = datetime.now()
    data_download.write_archive(handle, ana, download)
    with zipfile.ZipFile(io.BytesIO(handle.getvalue())) as opened:
        dates = {info.filename: info.date_time for info in opened.infolist()}
        files = {name: opened.read(name) for name in opened.namelist()}
    # Each entry dated when the archive was made (in the person's zone), not 1 January 1980.
    assert all(date[0] >= before.year - 1 and date[0] != 1980 for date in dates.values()), dates
    index = files["index.html"].decode()
    learning = json.loads(files["learning.json"])["data"]
    records = json.loads(files["records.json"])["data"]
    quiz = privacy.REGISTRY["courses.QuizAttempt"]
    with translation.override("es"):
        # Headed by the declarations' short titles, in the archive and in the JSON envelope.
        assert f">{quiz.title}</h3>" in index
        assert f">{privacy.REGISTRY['training.User'].title}</h3>" in index
        assert learning["courses.QuizAttempt"]["title"] == str(quiz.title)
        # Columns by their labels; identifiers for programs are only in the JSON.
        assert f"<dt>{quiz.label('question')}</dt>" in index
        assert ">Activity id<" not in index and ">Started at<" not in index
        assert "ANA-QUIZ-ANSWER" not in index
        assert "ANA-QUIZ-ANSWER" in json.dumps(learning["courses.QuizAttempt"])
        assert str(NO_LONGER_IN_THE_MODULE) in index  # the fixture's answer names no question
        assert str(Role.VOLUNTEER.label) in index
        # The archive's own request reads "this archive", not "being prepared".
        [row] = records["training.DataDownload"]["rows"]
        assert row["status"] == str(data_download.THIS_ARCHIVE)
    assert "data-files" in index  # Ana has a certificate: the files folder is mentioned


def test_the_index_mentions_the_files_folder_only_when_there_are_files(person, registry):
    registry["certificates.Certificate"] = privacy.Declaration(
        model="certificates.Certificate", title="T", category="certification", holds="H",
        purpose="P", seen_by="S",
    )  # fmt: skip
    handle = io.BytesIO()
    data_download.write_archive(handle, person)
    assert "data-files" not in members(handle.getvalue())["index.html"].decode()
