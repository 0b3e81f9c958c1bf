"""xAPI statements from the H5P player: who, which launch, what about, and what completes.

The module page relays the player's statements (static/js/h5p.js): it strips the actor, gives
each statement a fresh UUID and posts {"token": <launch token>, "statement": {...}} with the
session cookie and the CSRF header. Everything the browser says is checked here against the
session, the signed launch and the activity as stored (courses/h5p/xapi.py).
"""

import json
import re
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.core import signing
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.blocks.struct_block import StructBlockValidationError

from courses import services
from courses.blocks import H5PBlock
from courses.factories import block_id, make_course, text_block
from courses.h5p import services as h5p_services
from courses.h5p import store, xapi
from courses.h5p.content_types import completion_for
from courses.h5p.retention import statements_purge
from courses.models import (
    ActivityCompletion,
    H5PActivity,
    H5PState,
    H5PStatement,
    ModulePage,
    ModuleProgress,
    ProgressStatus,
)
from courses.tasks import h5p_statements_purge
from tests.conftest import h5p_sample, login_with_mfa
from tests.h5p_factory import H5PPackage
from training import ratelimit
from training.factories import UserFactory

pytestmark = pytest.mark.django_db

TRUE_FALSE = "truefalse.h5p"
QUESTION_SET = "questionset-multichoice.h5p"
VERBS = "http://adlnet.gov/expapi/verbs/"


# --- Activities ---------------------------------------------------------------------------------
# The xAPI endpoints read of an activity only its main library and subContentIds: the tests build
# packages with the samples' main libraries (a true-or-false; a question set of ten questions),
# no outside files needed. The first test that needs one imports it for real (upload,
# validation, extraction); later tests create a READY row with what that import found.
_EXTRACTED: dict[str, dict] = {}


def _built(sample: str) -> bytes:
    pkg = H5PPackage()
    if sample == TRUE_FALSE:
        name, version, content = "H5P.TrueFalse", (1, 6), {"question": "<p>True?</p>"}
    else:
        name, version = "H5P.QuestionSet", (1, 20)
        content = {"questions": [
            {"library": "H5P.MultiChoice 1.16", "params": {"question": f"<p>Question {n}</p>"},
             "subContentId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"question-{n}"))}
            for n in range(10)
        ]}  # fmt: skip
    folder = f"{name}-{version[0]}.{version[1]}"
    pkg.set_json("h5p.json", {"title": sample, "language": "en", "mainLibrary": name,
                              "embedTypes": ["iframe"], "preloadedDependencies": [
                                  {"machineName": name, "majorVersion": version[0],
                                   "minorVersion": version[1]}]})  # fmt: skip
    pkg.set_json("content/content.json", content)
    pkg.set_json(f"{folder}/library.json", {
        "title": name, "machineName": name, "majorVersion": version[0],
        "minorVersion": version[1], "patchVersion": 0, "runnable": 1,
        "preloadedJs": [{"path": "main.js"}],
    })  # fmt: skip
    pkg.set(f"{folder}/main.js", f"{name} = function () {{}};")
    return pkg.build()


def h5p_activity(sample=TRUE_FALSE, *, title="An activity", **fields) -> H5PActivity:
    if sample not in _EXTRACTED:
        made = h5p_services.h5p_activity_create(
            package=ContentFile(_built(sample), name=sample), title=title, language="en",
        )  # fmt: skip
        extracted = store.activity_extract(activity_id=made.pk)
        assert extracted.status == H5PActivity.Status.READY, extracted.errors
        extracted.libraries.update(status="approved")  # as before a module is published
        _EXTRACTED[sample] = {
            "main_library": extracted.main_library,
            "sub_content_ids": extracted.sub_content_ids,
            "h5p_json": extracted.h5p_json,
        }
        if not fields:
            return extracted
    values = {**_EXTRACTED[sample], "status": H5PActivity.Status.READY, "language": "en", **fields}
    return H5PActivity.objects.create(title=title, package=f"uploads/{sample}", **values)


def h5p_block(key, activity, *, pass_mark=None, required=True) -> dict:
    return {
        "type": "h5p",
        "id": block_id(key),
        "value": {"activity": str(activity.uuid), "pass_mark": pass_mark, "required": required},
    }


def h5p_course(slug, activity, *, modules=1, pass_mark=None, required=True):
    """A published course whose modules each hold some text and one H5P block, the module's only
    activity. The block of module i has id block_id(slug, i, "h5p")."""
    return make_course(slug, modules=modules, body=lambda i: [
        text_block(f"{slug}/{i}/text"),
        h5p_block(f"{slug}/{i}/h5p", activity, pass_mark=pass_mark, required=required),
    ])  # fmt: skip


def bid(slug, i=0) -> str:
    return block_id(f"{slug}/{i}/h5p")


# --- Statements ---------------------------------------------------------------------------------
def statement(activity, verb="answered", *, sub=None, scaled=1.0, success=True, **extra) -> dict:
    """A statement as H5P sends it, after the module page took the actor away and gave it an
    id. `scaled=None` sends no score."""
    object_id = xapi.object_iri(activity.uuid)
    if sub is not None:
        object_id += f"?subContentId={sub}"
    result = {"completion": True, "duration": "PT4.2S"}
    if success is not None:
        result["success"] = success
    if scaled is not None:
        result["score"] = {"min": 0, "max": 10, "raw": round(scaled * 10), "scaled": scaled}
    library = activity.main_library.split(" ")[0] if activity.main_library else "H5P.Test"
    data = {
        "id": str(uuid.uuid4()),
        "verb": {"id": VERBS + verb, "display": {"en-US": verb}},
        "object": {
            "id": object_id,
            "objectType": "Activity",
            "definition": {
                "name": {"en-US": "True or false"},
                "interactionType": "true-false",
                "correctResponsesPattern": ["true"],
            },
        },
        "context": {
            "contextActivities": {
                "category": [{"id": f"http://h5p.org/libraries/{library}-1.6",
                              "objectType": "Activity"}],
            },
            "extensions": {"http://h5p.org/x-api/h5p-local-content-id": 1},
        },
        "result": result,
        "timestamp": "2025-01-01T10:00:00.000Z",
    }  # fmt: skip
    data.update(extra)
    return data


def token_for(user, module, activity_id, activity) -> str:
    return xapi.launch_token(user=user, module_id=module.pk, activity_id=activity_id,
                             activity_uuid=activity.uuid)  # fmt: skip


def xapi_url(module, activity_id) -> str:
    return reverse("courses:h5p_xapi", args=[module.pk, activity_id])


def state_url(module, activity_id) -> str:
    return reverse("courses:h5p_state", args=[module.pk, activity_id])


def launch_url(module, activity_id) -> str:
    return reverse("courses:h5p_launch", args=[module.pk, activity_id])


def post_json(client, url, body, **headers):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(url, data=data, content_type="application/json",
                       HTTP_ACCEPT="application/json", **headers)  # fmt: skip


def page_attribute(html: str, name: str) -> str | None:
    found = re.search(rf'{name}="([^"]*)"', html)
    return found.group(1) if found else None


def state_script(html: str, activity_id: str):
    """What the json_script for this block's resume state holds (missing: the sentinel)."""
    found = re.search(
        rf'<script id="h5p-state-{re.escape(activity_id)}" type="application/json">(.*?)</script>',
        html, re.S,
    )  # fmt: skip
    return json.loads(found.group(1)) if found else "<no script>"


def nothing_recorded(user=None):
    statements = H5PStatement.objects.all()
    completions = ActivityCompletion.objects.all()
    if user is not None:
        statements, completions = statements.filter(user=user), completions.filter(user=user)
    return not statements.exists() and not completions.exists()


# --- Fixtures -----------------------------------------------------------------------------------
@pytest.fixture
def tf(db):
    return h5p_activity(TRUE_FALSE, title="True or false")


@pytest.fixture
def qs(db):
    return h5p_activity(QUESTION_SET, title="Question set")


@pytest.fixture
def other_user(db):
    return UserFactory(email="other@example.org", display_name="Other")


@pytest.fixture
def setup(client, volunteer, tf):
    """The True/False activity, alone in a one-module course; the volunteer enrolled, signed in,
    with a launch token for it."""
    course, (module,) = h5p_course("tf", tf)
    services.enrolment_create(user=volunteer, course=course)
    client.force_login(volunteer)
    activity_id = bid("tf")
    return SimpleNamespace(
        client=client, user=volunteer, course=course, module=module, activity=tf,
        activity_id=activity_id, url=xapi_url(module, activity_id),
        token=token_for(volunteer, module, activity_id, tf),
    )  # fmt: skip


def send(s, stmt, *, token=None, client=None, url=None):
    body = {"token": s.token if token is None else token, "statement": stmt}
    return post_json(client or s.client, url or s.url, body)


# --- The happy path -----------------------------------------------------------------------------
def test_answering_the_true_false_activity_completes_it_and_the_module(setup):
    s = setup
    html = s.client.get(s.module.url).content.decode()
    token = page_attribute(html, "data-launch")
    assert token, "the enrolled learner's page carries a launch token"
    stmt = statement(s.activity, "answered", scaled=0.75)

    response = send(s, stmt, token=token)

    assert response.status_code == 200, response.content
    # The points the player sent, and the status line the page shows, come with it.
    assert response.json() == {"ok": True, "completed": True, "module_completed": True,
                               "score_raw": 8, "score_max": 10,
                               "status": "Completed · 8 of 10"}  # fmt: skip
    completion = ActivityCompletion.objects.get(user=s.user, module=s.module,
                                                activity_id=s.activity_id)  # fmt: skip
    assert completion.kind == "h5p"
    assert completion.score == Decimal("75.00")
    progress = ModuleProgress.objects.get(user=s.user, module=s.module)
    assert progress.status == ProgressStatus.COMPLETED
    assert progress.completed_at is not None

    record = H5PStatement.objects.get()
    assert record.id == uuid.UUID(stmt["id"])
    assert record.user == s.user
    assert record.module_id == s.module.pk
    assert record.activity_id == s.activity_id
    assert record.h5p_activity_id == s.activity.pk
    assert record.verb == VERBS + "answered"
    assert record.sub_content_id == ""
    assert record.score_scaled == Decimal("0.75")
    assert record.counted is True
    assert record.raw["actor"] == xapi.actor_for(s.user)
    assert record.raw["id"] == stmt["id"]
    assert record.raw["object"]["id"] == xapi.object_iri(s.activity.uuid)
    assert "mbox" not in json.dumps(record.raw)
    assert s.user.email not in json.dumps(record.raw)


def test_the_actor_is_an_opaque_account_of_the_platform(volunteer, other_user, settings):
    actor = xapi.actor_for(volunteer)
    assert actor["objectType"] == "Agent"
    assert set(actor) == {"objectType", "account"}
    assert actor["account"]["homePage"] == settings.ACOMPANA_PLATFORM_ORIGIN
    assert str(volunteer.pk) != actor["account"]["name"]
    assert volunteer.email not in json.dumps(actor)
    assert actor == xapi.actor_for(volunteer)
    assert actor != xapi.actor_for(other_user)


def test_the_page_posts_with_its_csrf_token_and_the_statement_is_accepted(setup):
    s = setup
    client = Client(enforce_csrf_checks=True)
    client.force_login(s.user)
    html = client.get(s.module.url).content.decode()
    csrf = page_attribute(html, "data-csrf")
    assert csrf and client.cookies.get("acompana_csrftoken")
    body = {"token": page_attribute(html, "data-launch"),
            "statement": statement(s.activity, "interacted")}  # fmt: skip

    response = post_json(client, s.url, body, HTTP_X_CSRFTOKEN=csrf)

    assert response.status_code == 200, response.content
    assert response.json() == {"ok": True, "completed": False}
    assert H5PStatement.objects.filter(user=s.user).count() == 1


def test_an_actor_equal_to_the_learners_own_account_is_accepted(setup):
    s = setup
    response = send(s, statement(s.activity, "interacted", actor=xapi.actor_for(s.user)))
    assert response.status_code == 200, response.content
    assert H5PStatement.objects.get().raw["actor"] == xapi.actor_for(s.user)


# --- Forgeries and refusals ---------------------------------------------------------------------
def _assert_refused(response, status, code=None):
    assert response.status_code == status, response.content
    data = response.json()
    assert data["ok"] is False
    assert data["error"]
    if code is not None:
        assert data["code"] == code


def test_a_statement_about_another_learner_is_refused(setup, other_user):
    s = setup
    response = send(s, statement(s.activity, actor=xapi.actor_for(other_user)))
    _assert_refused(response, 403, "actor")
    assert nothing_recorded()


@pytest.mark.parametrize(
    "actor",
    [
        pytest.param(lambda user: {"objectType": "Agent", "mbox": f"mailto:{user.email}"},
                     id="mbox-of-the-learner"),
        pytest.param(lambda user: {"objectType": "Agent", "mbox": f"mailto:{user.email}",
                                   "account": xapi.actor_for(user)["account"]},
                     id="own-account-plus-mbox"),
        pytest.param(lambda user: {"objectType": "Agent", "account": {
            "homePage": "http://elsewhere.example",
            "name": xapi.actor_for(user)["account"]["name"]}}, id="account-on-another-home-page"),
        pytest.param(lambda user: {}, id="empty-actor"),
        pytest.param(lambda user: "learner", id="not-an-object"),
    ],
)  # fmt: skip
def test_an_actor_other_than_the_learners_account_is_refused(setup, actor):
    s = setup
    response = send(s, statement(s.activity, actor=actor(s.user)))
    _assert_refused(response, 403, "actor")
    assert nothing_recorded()


def test_a_statement_about_another_activity_is_refused(setup, qs):
    s = setup
    response = send(s, statement(qs))  # a real, ready activity, not the one launched
    _assert_refused(response, 403, "object")
    assert nothing_recorded()


@pytest.mark.parametrize(
    "object_id",
    [
        pytest.param(lambda a: f"http://elsewhere.example/h5p/play/{a.uuid}", id="other-host"),
        pytest.param(lambda a: f"http://testserver/h5p/play/{a.uuid}", id="platform-host"),
        pytest.param(lambda a: xapi.object_iri(a.uuid) + "/", id="trailing-slash"),
        pytest.param(lambda a: xapi.object_iri(a.uuid) + "0", id="longer-id"),
        pytest.param(lambda a: xapi.object_iri(uuid.uuid4()), id="unknown-uuid"),
        pytest.param(lambda a: xapi.object_iri(a.uuid) + "?other=1", id="other-query"),
        pytest.param(lambda a: None, id="no-object-id"),
        pytest.param(lambda a: 42, id="not-a-string"),
    ],
)
def test_a_statement_about_a_foreign_object_is_refused(setup, object_id):
    s = setup
    stmt = statement(s.activity)
    stmt["object"]["id"] = object_id(s.activity)
    _assert_refused(send(s, stmt), 403, "object")
    assert nothing_recorded()


def test_a_statement_without_an_object_is_refused(setup):
    s = setup
    stmt = statement(s.activity)
    del stmt["object"]
    _assert_refused(send(s, stmt), 403, "object")
    assert nothing_recorded()


@pytest.fixture
def qs_setup(client, volunteer, qs):
    course, (module,) = h5p_course("qs", qs)
    services.enrolment_create(user=volunteer, course=course)
    client.force_login(volunteer)
    activity_id = bid("qs")
    return SimpleNamespace(
        client=client, user=volunteer, course=course, module=module, activity=qs,
        activity_id=activity_id, url=xapi_url(module, activity_id),
        token=token_for(volunteer, module, activity_id, qs),
    )  # fmt: skip


def test_the_question_set_lists_its_ten_questions(qs):
    assert qs.main_library.startswith("H5P.QuestionSet ")
    assert len(qs.sub_content_ids) == 10
    assert completion_for(qs.main_library) is xapi.Completion.CONTAINER


def test_the_real_question_set_sample_lists_its_ten_questions():
    sample = h5p_sample(QUESTION_SET)
    made = h5p_services.h5p_activity_create(
        package=ContentFile(sample.read_bytes(), name=QUESTION_SET), title="Question set",
        language="en",
    )  # fmt: skip
    activity = store.activity_extract(activity_id=made.pk)
    assert activity.main_library == "H5P.QuestionSet 1.20", activity.errors
    assert len(activity.sub_content_ids) == 10


@pytest.mark.parametrize(
    "sub",
    [
        pytest.param(lambda ids: str(uuid.uuid4()), id="unknown"),
        pytest.param(lambda ids: "", id="empty"),
        pytest.param(lambda ids: sorted(ids)[0] + "&x=1", id="known-plus-suffix"),
        pytest.param(lambda ids: sorted(ids)[0].upper(), id="case-changed"),
    ],
)
def test_an_unknown_sub_content_id_is_refused(qs_setup, sub):
    s = qs_setup
    response = send(s, statement(s.activity, sub=sub(s.activity.sub_content_ids)))
    _assert_refused(response, 403, "object")
    assert nothing_recorded()


def test_a_sub_content_id_of_content_without_parts_is_refused(setup, qs):
    s = setup
    # A subContentId that exists, but in another activity.
    response = send(s, statement(s.activity, sub=qs.sub_content_ids[0]))
    _assert_refused(response, 403, "object")
    assert nothing_recorded()


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(None, id="missing"),
        pytest.param("", id="empty"),
        pytest.param(12345, id="not-a-string"),
        pytest.param("not-a-token", id="garbage"),
    ],
)
def test_a_statement_without_a_valid_launch_token_is_refused(setup, token):
    s = setup
    body = {"statement": statement(s.activity)}
    if token is not None:
        body["token"] = token
    _assert_refused(post_json(s.client, s.url, body), 403, "launch")
    assert nothing_recorded()


def test_a_tampered_token_is_refused(setup):
    s = setup
    value, signature = s.token.rsplit(":", 1)
    tampered = value + ":" + ("A" if signature[0] != "A" else "B") + signature[1:]
    _assert_refused(send(s, statement(s.activity), token=tampered), 403, "launch")
    assert nothing_recorded()


def test_a_token_signed_for_another_purpose_is_refused(setup):
    s = setup
    data = [s.user.pk, s.module.pk, s.activity_id, str(s.activity.uuid)]
    for forged in (signing.dumps(data), signing.dumps(data, salt="courses.other")):
        _assert_refused(send(s, statement(s.activity), token=forged), 403, "launch")
    assert nothing_recorded()


def test_a_token_of_another_learner_is_refused(setup, other_user):
    s = setup
    services.enrolment_create(user=other_user, course=s.course)
    theirs = token_for(other_user, s.module, s.activity_id, s.activity)
    _assert_refused(send(s, statement(s.activity), token=theirs), 403, "launch")
    assert nothing_recorded()


def test_a_token_of_another_module_is_refused(volunteer, client, tf):
    course, modules = h5p_course("two", tf, modules=2)
    services.enrolment_create(user=volunteer, course=course)
    client.force_login(volunteer)
    # The same activity in both modules: the token of module 1 is no good in module 2.
    token = token_for(volunteer, modules[0], bid("two", 0), tf)
    body = {"token": token, "statement": statement(tf)}
    _assert_refused(post_json(client, xapi_url(modules[1], bid("two", 0)), body), 403, "launch")
    _assert_refused(post_json(client, xapi_url(modules[1], bid("two", 1)), body), 403, "launch")
    assert nothing_recorded()
    # The same token where it was issued is fine (the test itself can fail).
    assert post_json(client, xapi_url(modules[0], bid("two", 0)), body).status_code == 200


def test_a_token_of_another_block_is_refused(volunteer, client, tf, qs):
    course, (module,) = make_course("blocks", modules=1, body=lambda i: [
        h5p_block("blocks/a", tf), h5p_block("blocks/b", qs),
    ])  # fmt: skip
    services.enrolment_create(user=volunteer, course=course)
    client.force_login(volunteer)
    a, b = block_id("blocks/a"), block_id("blocks/b")
    token_a = token_for(volunteer, module, a, tf)
    for stmt in (statement(tf), statement(qs, "completed")):
        body = {"token": token_a, "statement": stmt}
        _assert_refused(post_json(client, xapi_url(module, b), body), 403, "launch")
    assert nothing_recorded()


@pytest.fixture
def old_token(monkeypatch, settings):
    """A launch token issued `age` seconds ago."""

    def make(s, age):
        real = time.time
        monkeypatch.setattr(signing.time, "time", lambda: real() - age)
        try:
            return token_for(s.user, s.module, s.activity_id, s.activity)
        finally:
            monkeypatch.setattr(signing.time, "time", real)

    return make


def test_an_expired_token_asks_for_a_new_launch(setup, old_token, settings):
    s = setup
    token = old_token(s, settings.ACOMPANA_H5P_LAUNCH_SECONDS + 5)
    response = send(s, statement(s.activity), token=token)
    _assert_refused(response, 401, "expired")
    assert nothing_recorded()


def test_a_token_within_its_lifetime_is_accepted(setup, old_token, settings):
    s = setup
    token = old_token(s, settings.ACOMPANA_H5P_LAUNCH_SECONDS - 60)
    response = send(s, statement(s.activity), token=token)
    assert response.status_code == 200, response.content
    assert response.json()["completed"] is True


def test_the_launch_lifetime_comes_from_the_setting(setup, old_token, settings):
    s = setup
    settings.ACOMPANA_H5P_LAUNCH_SECONDS = 30
    _assert_refused(send(s, statement(s.activity), token=old_token(s, 40)), 401, "expired")
    assert nothing_recorded()


def test_a_replayed_statement_is_recorded_once(setup):
    s = setup
    stmt = statement(s.activity, "answered")
    assert send(s, stmt).status_code == 200
    response = send(s, stmt)
    _assert_refused(response, 409, "duplicate")
    assert H5PStatement.objects.count() == 1
    assert ActivityCompletion.objects.count() == 1


def test_a_replayed_id_with_other_content_changes_nothing(setup):
    s = setup
    first = statement(s.activity, "interacted")
    assert send(s, first).status_code == 200
    second = statement(s.activity, "answered", id=first["id"])
    _assert_refused(send(s, second), 409, "duplicate")
    record = H5PStatement.objects.get()
    assert record.verb == VERBS + "interacted"
    assert not ActivityCompletion.objects.exists()


def test_an_oversized_body_is_refused_before_it_is_read(setup, settings):
    s = setup
    settings.ACOMPANA_H5P_XAPI_MAX_BYTES = 4096
    small = statement(s.activity, "interacted")
    small["object"]["definition"]["description"] = {"en-US": "x" * 1000}
    assert send(s, small).status_code == 200

    big = statement(s.activity, "answered")
    big["object"]["definition"]["description"] = {"en-US": "x" * 5000}
    _assert_refused(send(s, big), 413, "size")
    assert H5PStatement.objects.count() == 1
    assert not ActivityCompletion.objects.exists()


def test_a_body_over_the_default_limit_is_refused(setup, settings):
    s = setup
    big = statement(s.activity, "answered")
    big["object"]["definition"]["description"] = {
        "en-US": "x" * (settings.ACOMPANA_H5P_XAPI_MAX_BYTES + 1)
    }
    _assert_refused(send(s, big), 413, "size")
    assert nothing_recorded()


def test_a_post_without_the_csrf_token_is_refused(setup):
    s = setup
    client = Client(enforce_csrf_checks=True)
    client.force_login(s.user)
    client.get(s.module.url)  # the CSRF cookie is set, but the header is not sent
    response = post_json(client, s.url, {"token": s.token, "statement": statement(s.activity)})
    assert response.status_code == 403
    assert nothing_recorded()


def test_a_learner_who_is_not_enrolled_is_refused(setup, other_user):
    s = setup
    client = Client()
    client.force_login(other_user)
    # Even with a genuine token (as if enrolment was withdrawn after the page was opened).
    token = token_for(other_user, s.module, s.activity_id, s.activity)
    response = send(s, statement(s.activity), token=token, client=client)
    _assert_refused(response, 403, "enrolment")
    assert nothing_recorded()


def test_an_enrolment_withdrawn_after_launch_stops_recording(setup):
    s = setup
    s.user.enrolments.all().delete()
    _assert_refused(send(s, statement(s.activity)), 403, "enrolment")
    assert nothing_recorded()


def test_a_module_unpublished_after_launch_records_nothing(setup):
    s = setup
    s.module.unpublish()
    _assert_refused(send(s, statement(s.activity)), 404, "module")
    assert nothing_recorded()


def test_a_module_locked_for_the_learner_is_not_completed(volunteer, client, tf):
    course, modules = make_course("locked", modules=2, body=lambda i: [
        h5p_block(f"locked/{i}/h5p", tf),
    ])  # fmt: skip
    ModulePage.objects.filter(pk=modules[1].pk).update(requires_previous=True)
    services.enrolment_create(user=volunteer, course=course)
    client.force_login(volunteer)
    activity_id = block_id("locked/1/h5p")
    body = {"token": token_for(volunteer, modules[1], activity_id, tf),
            "statement": statement(tf)}  # fmt: skip
    response = post_json(client, xapi_url(modules[1], activity_id), body)
    # Recorded (the page must not retry it forever), but it does not count.
    assert response.json() == {"ok": True, "completed": False}
    assert H5PStatement.objects.get().counted is False
    assert not ActivityCompletion.objects.exists()
    assert not ModuleProgress.objects.filter(status=ProgressStatus.COMPLETED).exists()


def test_a_signed_out_person_gets_a_json_401(setup):
    s = setup
    response = post_json(Client(), s.url, {"token": s.token, "statement": statement(s.activity)})
    _assert_refused(response, 401, "login")
    assert response["Content-Type"].startswith("application/json")
    assert nothing_recorded()


def test_statements_are_posted_not_fetched(setup):
    assert setup.client.get(setup.url).status_code == 405


def _bad_statements(activity):
    def change(**kwargs):
        def make():
            stmt = statement(activity)
            for key, value in kwargs.items():
                target = stmt
                *path, last = key.split("__")
                for part in path:
                    target = target[part]
                target[last] = value
            return stmt

        return make

    return {
        "non-uuid-id": change(id="statement-1"),
        "no-id": lambda: {k: v for k, v in statement(activity).items() if k != "id"},
        "numeric-id": change(id=12),
        "scaled-above-1": change(result__score__scaled=1.5),
        "scaled-below-minus-1": change(result__score__scaled=-2),
        "scaled-not-a-number": change(result__score__scaled="lots"),
        "scaled-a-list": change(result__score__scaled=[1]),
        "raw-over-max": change(result__score={"raw": 11, "max": 10}),
        "score-not-an-object": change(result__score=9),
        "result-not-an-object": change(result=[1]),
        "no-verb": change(verb=None),
        "verb-without-id": change(verb={"display": {"en-US": "answered"}}),
        "verb-id-not-a-string": change(verb={"id": 7}),
        "verb-id-too-long": change(verb={"id": VERBS + "x" * 300}),
    }


BAD_STATEMENTS = list(_bad_statements(SimpleNamespace(uuid="x", main_library="")))


@pytest.mark.parametrize("case", BAD_STATEMENTS)
def test_a_malformed_statement_is_refused(setup, case):
    s = setup
    stmt = _bad_statements(s.activity)[case]()
    _assert_refused(send(s, stmt), 400, "malformed")
    assert nothing_recorded()


def test_a_non_finite_score_is_refused(setup):
    s = setup
    stmt = statement(s.activity)
    body = json.dumps({"token": s.token, "statement": stmt})
    body = body.replace('"scaled": 1.0', '"scaled": NaN')
    assert "NaN" in body
    _assert_refused(post_json(s.client, s.url, body), 400, "malformed")
    assert nothing_recorded()


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("{not json", id="not-json"),
        pytest.param(b"\xff\xfe\x00", id="not-utf8"),
        pytest.param("[1, 2]", id="a-list"),
        pytest.param('"a string"', id="a-string"),
        pytest.param("", id="empty"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_refused(setup, body):
    _assert_refused(post_json(setup.client, setup.url, body), 400, "malformed")
    assert nothing_recorded()


def test_a_statement_that_is_not_an_object_is_refused(setup):
    s = setup
    _assert_refused(send(s, [statement(s.activity)]), 400, "malformed")
    _assert_refused(post_json(s.client, s.url, {"token": s.token}), 400, "malformed")
    assert nothing_recorded()


@pytest.fixture
def frozen_minute(monkeypatch):
    """The rate window is the minute: keep the test inside one."""
    moment = datetime(2025, 1, 1, 10, 0, 30, tzinfo=UTC)
    monkeypatch.setattr(ratelimit, "timezone", SimpleNamespace(now=lambda: moment))


def test_too_many_requests_a_minute_are_refused(setup, settings, frozen_minute, other_user):
    s = setup
    settings.ACOMPANA_H5P_XAPI_RATE = 3
    for _ in range(3):
        assert send(s, statement(s.activity, "interacted")).status_code == 200
    _assert_refused(send(s, statement(s.activity, "answered")), 429, "rate")
    assert H5PStatement.objects.count() == 3
    assert not ActivityCompletion.objects.exists()
    # Saved state counts against the same limit.
    body = {"token": s.token, "state": "{}"}
    _assert_refused(post_json(s.client, state_url(s.module, s.activity_id), body), 429, "rate")
    assert not H5PState.objects.exists()
    # Per learner: someone else is not held back.
    services.enrolment_create(user=other_user, course=s.course)
    client = Client()
    client.force_login(other_user)
    token = token_for(other_user, s.module, s.activity_id, s.activity)
    assert send(s, statement(s.activity), token=token, client=client).status_code == 200


def test_the_rate_limit_starts_again_the_next_minute(setup, settings, monkeypatch):
    s = setup
    settings.ACOMPANA_H5P_XAPI_RATE = 1
    moment = datetime(2025, 1, 1, 10, 0, 59, tzinfo=UTC)
    clock = SimpleNamespace(now=lambda: moment)
    monkeypatch.setattr(ratelimit, "timezone", clock)
    assert send(s, statement(s.activity, "interacted")).status_code == 200
    assert send(s, statement(s.activity, "interacted")).status_code == 429
    clock.now = lambda: moment + timedelta(seconds=2)
    assert send(s, statement(s.activity, "interacted")).status_code == 200


def test_an_activity_that_is_not_ready_is_refused(setup, tf):
    s = setup
    H5PActivity.objects.filter(pk=tf.pk).update(status=H5PActivity.Status.FAILED)
    _assert_refused(send(s, statement(s.activity)), 404, "activity")
    assert nothing_recorded()


def test_an_activity_that_changes_after_launch_is_looked_up_again(setup, tf):
    """What the endpoint knows of an activity is cached, and dropped when the activity changes."""
    s = setup
    assert send(s, statement(s.activity, "interacted")).status_code == 200  # now cached
    tf.status = H5PActivity.Status.FAILED
    tf.save()
    _assert_refused(send(s, statement(s.activity)), 404, "activity")
    assert H5PStatement.objects.count() == 1
    assert not ActivityCompletion.objects.exists()


def test_an_activity_deleted_after_launch_is_refused(setup, tf):
    s = setup
    assert send(s, statement(s.activity, "interacted")).status_code == 200  # now cached
    tf.delete()
    _assert_refused(send(s, statement(s.activity)), 404, "activity")
    assert nothing_recorded()


# --- Completion rules ---------------------------------------------------------------------------
def test_a_childs_answer_never_completes_a_question_set(qs_setup):
    s = qs_setup
    sub = s.activity.sub_content_ids[3]
    response = send(s, statement(s.activity, "answered", sub=sub, scaled=1.0))
    assert response.status_code == 200, response.content
    assert response.json() == {"ok": True, "completed": False}
    record = H5PStatement.objects.get()
    assert record.sub_content_id == sub
    assert record.counted is False
    assert not ActivityCompletion.objects.exists()


def test_a_childs_completed_never_completes_the_whole(qs_setup):
    s = qs_setup
    stmt = statement(s.activity, "completed", sub=s.activity.sub_content_ids[0])
    assert send(s, stmt).json() == {"ok": True, "completed": False}
    assert not ActivityCompletion.objects.exists()


def test_a_top_level_answered_does_not_complete_a_question_set(qs_setup):
    s = qs_setup
    assert send(s, statement(s.activity, "answered")).json() == {"ok": True, "completed": False}
    assert H5PStatement.objects.get().counted is False
    assert not ActivityCompletion.objects.exists()


def test_a_top_level_completed_completes_a_question_set(qs_setup):
    s = qs_setup
    for sub in s.activity.sub_content_ids[:3]:
        assert send(s, statement(s.activity, "answered", sub=sub)).json()["completed"] is False
    response = send(s, statement(s.activity, "completed", scaled=0.8))
    assert response.json()["completed"] is True
    completion = ActivityCompletion.objects.get(user=s.user, activity_id=s.activity_id)
    assert completion.score == Decimal("80.00")
    assert H5PStatement.objects.filter(counted=True).count() == 1
    assert ModuleProgress.objects.get(user=s.user, module=s.module).status == "completed"


@pytest.mark.parametrize("verb", ["attempted", "interacted", "progressed", "experienced"])
def test_verbs_that_do_not_finish_a_question_do_not_complete_it(setup, verb):
    s = setup
    response = send(s, statement(s.activity, verb))
    assert response.json() == {"ok": True, "completed": False}
    assert H5PStatement.objects.get().verb == VERBS + verb
    assert not ActivityCompletion.objects.exists()


@pytest.mark.parametrize("verb", ["answered", "completed"])
def test_verbs_that_finish_a_question_complete_it(setup, verb):
    s = setup
    assert send(s, statement(s.activity, verb)).json()["completed"] is True
    assert ActivityCompletion.objects.filter(user=s.user, activity_id=s.activity_id).exists()


def test_the_verb_in_the_statement_cannot_change_the_content_type(setup):
    """Completion follows the main library as stored, not the context the statement claims."""
    s = setup
    stmt = statement(s.activity, "interacted")
    stmt["context"]["contextActivities"]["category"] = [
        {"id": "http://h5p.org/libraries/H5P.Accordion-1.0", "objectType": "Activity"}
    ]
    assert send(s, stmt).json()["completed"] is False


@pytest.mark.parametrize(
    ("library", "verb", "completes"),
    [
        ("H5P.Accordion 1.0", "interacted", True),
        ("H5P.Accordion 1.0", "progressed", True),
        ("H5P.Accordion 1.0", "attempted", False),
        ("H5P.Chart 1.2", "answered", False),
        ("H5P.Chart 1.2", "completed", False),
        ("H5P.Chart 1.2", "interacted", False),
        ("H5P.SomethingNew 1.0", "answered", True),
        ("H5P.SomethingNew 1.0", "completed", True),
        ("H5P.SomethingNew 1.0", "interacted", False),
        ("H5P.CoursePresentation 1.25", "answered", False),
        ("H5P.CoursePresentation 1.25", "completed", True),
    ],
)
def test_completion_by_content_type(client, volunteer, library, verb, completes):
    activity = h5p_activity(TRUE_FALSE, main_library=library, sub_content_ids=[])
    course, (module,) = h5p_course("kinds", activity, required=False)
    services.enrolment_create(user=volunteer, course=course)
    client.force_login(volunteer)
    body = {"token": token_for(volunteer, module, bid("kinds"), activity),
            "statement": statement(activity, verb, scaled=None)}  # fmt: skip
    response = post_json(client, xapi_url(module, bid("kinds")), body)
    assert response.json()["completed"] is completes
    assert ActivityCompletion.objects.exists() is completes


@pytest.fixture
def pass_mark_setup(client, volunteer, tf):
    course, (module,) = h5p_course("mark", tf, pass_mark=80)
    services.enrolment_create(user=volunteer, course=course)
    client.force_login(volunteer)
    activity_id = bid("mark")
    return SimpleNamespace(
        client=client, user=volunteer, course=course, module=module, activity=tf,
        activity_id=activity_id, url=xapi_url(module, activity_id),
        token=token_for(volunteer, module, activity_id, tf),
    )  # fmt: skip


def test_a_score_below_the_pass_mark_is_recorded_but_does_not_complete(pass_mark_setup):
    s = pass_mark_setup
    response = send(s, statement(s.activity, "answered", scaled=0.5, success=False))
    # The page's status line says how it went, in points, and against which pass mark.
    assert response.json() == {
        "ok": True, "completed": False, "score_raw": 5, "score_max": 10, "passed": False,
        "pass_mark": 80, "status": "5 of 10 — not yet passed (pass mark 80%)",
    }  # fmt: skip
    record = H5PStatement.objects.get()
    assert record.score_scaled == Decimal("0.5")
    assert record.counted is False
    assert not ActivityCompletion.objects.exists()
    assert not ModuleProgress.objects.filter(status=ProgressStatus.COMPLETED).exists()


def test_a_score_above_the_pass_mark_completes(pass_mark_setup):
    s = pass_mark_setup
    assert send(s, statement(s.activity, scaled=0.5)).json()["completed"] is False
    response = send(s, statement(s.activity, "answered", scaled=0.9))
    assert response.json()["completed"] is True
    assert ActivityCompletion.objects.get().score == Decimal("90.00")
    assert list(H5PStatement.objects.order_by("stored_at").values_list("counted", flat=True)) == [
        False, True,
    ]  # fmt: skip


def test_a_score_exactly_at_the_pass_mark_completes(pass_mark_setup):
    s = pass_mark_setup
    assert send(s, statement(s.activity, scaled=0.8)).json()["completed"] is True


def test_a_raw_score_without_scaled_is_measured_against_its_maximum(pass_mark_setup):
    s = pass_mark_setup
    low = statement(s.activity)
    low["result"]["score"] = {"min": 0, "max": 10, "raw": 7}
    assert send(s, low).json()["completed"] is False
    assert H5PStatement.objects.get().score_scaled == Decimal("0.7")
    high = statement(s.activity)
    high["result"]["score"] = {"min": 0, "max": 10, "raw": 9}
    assert send(s, high).json()["completed"] is True
    assert ActivityCompletion.objects.get().score == Decimal("90.00")


def test_no_score_with_a_pass_mark_does_not_complete(pass_mark_setup):
    s = pass_mark_setup
    response = send(s, statement(s.activity, "answered", scaled=None, success=True))
    assert response.json() == {"ok": True, "completed": False, "passed": False, "pass_mark": 80}
    assert H5PStatement.objects.get().score_scaled is None
    assert not ActivityCompletion.objects.exists()


def test_no_score_without_a_pass_mark_completes_without_a_score(setup):
    s = setup
    assert send(s, statement(s.activity, scaled=None)).json()["completed"] is True
    assert ActivityCompletion.objects.get().score is None


def test_a_completed_activity_stays_completed(pass_mark_setup):
    s = pass_mark_setup
    assert send(s, statement(s.activity, scaled=1.0)).json()["completed"] is True
    send(s, statement(s.activity, scaled=0.1))
    completion = ActivityCompletion.objects.get()
    assert completion.score == Decimal("100.00")
    assert ModuleProgress.objects.get(user=s.user).status == ProgressStatus.COMPLETED


def test_an_optional_activity_does_not_hold_the_module_but_is_completed(client, volunteer, tf):
    course, (module,) = make_course("optional", modules=1, body=lambda i: [
        h5p_block("optional/h5p", tf, required=False),
        h5p_block("optional/other", tf),
    ])  # fmt: skip
    services.enrolment_create(user=volunteer, course=course)
    client.force_login(volunteer)
    activity_id = block_id("optional/h5p")
    body = {"token": token_for(volunteer, module, activity_id, tf), "statement": statement(tf)}
    assert post_json(client, xapi_url(module, activity_id), body).json()["completed"] is True
    assert ActivityCompletion.objects.filter(activity_id=activity_id).exists()
    # The other (required) block is not done: the module is not complete.
    assert ModuleProgress.objects.get(user=volunteer).status != ProgressStatus.COMPLETED


# --- The block changed after launch -------------------------------------------------------------
def _replace_activity(module, activity_id, activity):
    module = ModulePage.objects.get(pk=module.pk)
    body = module.body.raw_data
    for child in body:
        if child["id"] == activity_id:
            child["value"]["activity"] = str(activity.uuid)
    module.body = list(body)
    module.save_revision().publish()


def test_a_statement_from_before_the_editor_changed_the_activity_does_not_complete(setup, qs):
    s = setup
    _replace_activity(s.module, s.activity_id, qs)
    assert str(ModulePage.objects.get(pk=s.module.pk).activities[0].value["activity"]) == str(
        qs.uuid
    )

    response = send(s, statement(s.activity, "answered"))  # the old token and the old activity

    assert response.status_code == 200, response.content
    assert response.json() == {"ok": True, "completed": False}
    record = H5PStatement.objects.get()
    assert record.h5p_activity_id == s.activity.pk
    assert record.counted is False
    assert not ActivityCompletion.objects.exists()


def test_a_fresh_launch_after_the_change_plays_the_new_activity(setup, qs):
    s = setup
    _replace_activity(s.module, s.activity_id, qs)
    token = s.client.get(launch_url(s.module, s.activity_id)).json()["token"]
    launch = xapi.launch_check(token, user=s.user, module_id=s.module.pk,
                               activity_id=s.activity_id)  # fmt: skip
    assert launch.activity_uuid == str(qs.uuid)
    assert send(s, statement(qs, "completed"), token=token).json()["completed"] is True


def test_a_block_removed_after_launch_is_not_completed(setup):
    s = setup
    module = ModulePage.objects.get(pk=s.module.pk)
    module.body = [text_block("tf/replacement")]
    module.save_revision().publish()
    response = send(s, statement(s.activity, "answered"))
    assert response.json() == {"ok": True, "completed": False}
    assert not ActivityCompletion.objects.exists()


# --- Resume state -------------------------------------------------------------------------------
def _save_state(s, state, *, client=None, token=None):
    body = {"token": s.token if token is None else token, "state": state}
    return post_json(client or s.client, state_url(s.module, s.activity_id), body)


def test_the_state_is_kept_per_learner_and_activity_and_overwritten(setup):
    s = setup
    first = json.dumps({"progress": 1, "answers": [True]})
    response = _save_state(s, first)
    assert response.status_code == 200, response.content
    assert response.json() == {"ok": True}
    state = H5PState.objects.get()
    assert (state.user, state.h5p_activity_id, state.data) == (s.user, s.activity.pk, first)

    second = json.dumps({"progress": 2})
    assert _save_state(s, second).status_code == 200
    assert list(H5PState.objects.values_list("data", flat=True)) == [second]


def test_an_empty_state_deletes_it(setup):
    s = setup
    assert _save_state(s, '{"progress": 1}').status_code == 200
    assert _save_state(s, "").json() == {"ok": True}
    assert not H5PState.objects.exists()
    assert _save_state(s, "").status_code == 200  # nothing to delete is fine too


@pytest.mark.parametrize(
    "state",
    [
        pytest.param("not json {", id="not-json"),
        pytest.param({"progress": 1}, id="an-object-not-a-string"),
        pytest.param(None, id="null"),
        pytest.param(3, id="a-number"),
    ],
)
def test_a_state_that_is_not_json_text_is_refused(setup, state):
    _assert_refused(_save_state(setup, state), 400, "malformed")
    assert not H5PState.objects.exists()


def test_an_oversized_state_is_refused(setup, settings):
    s = setup
    settings.ACOMPANA_H5P_STATE_MAX_BYTES = 2048
    assert _save_state(s, json.dumps({"x": "y" * 1000})).status_code == 200
    _assert_refused(_save_state(s, json.dumps({"x": "y" * 3000})), 413, "size")
    assert len(H5PState.objects.get().data) < 2048


def test_the_state_needs_a_launch_and_an_enrolment(setup, other_user):
    s = setup
    _assert_refused(_save_state(s, "{}", token=""), 403, "launch")
    client = Client()
    client.force_login(other_user)
    token = token_for(other_user, s.module, s.activity_id, s.activity)
    _assert_refused(_save_state(s, "{}", client=client, token=token), 403, "enrolment")
    _assert_refused(_save_state(s, "{}", client=Client()), 401, "login")
    assert not H5PState.objects.exists()


def test_the_module_page_resumes_the_learner_where_they_were_and_only_them(setup, other_user):
    s = setup
    saved = json.dumps({"progress": 3, "note": "</script><b>x</b>"})
    assert _save_state(s, saved).status_code == 200

    html = s.client.get(s.module.url).content.decode()
    assert state_script(html, s.activity_id) == saved
    assert "</script><b>" not in html  # escaped by json_script

    services.enrolment_create(user=other_user, course=s.course)
    client = Client()
    client.force_login(other_user)
    theirs = client.get(s.module.url).content.decode()
    assert state_script(theirs, s.activity_id) is None
    assert "progress" not in theirs


# --- Launch -------------------------------------------------------------------------------------
def test_a_fresh_launch_token_for_an_enrolled_learner(setup):
    s = setup
    response = s.client.get(launch_url(s.module, s.activity_id))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    data = response.json()
    assert data["ok"] is True
    launch = xapi.launch_check(data["token"], user=s.user, module_id=s.module.pk,
                               activity_id=s.activity_id)  # fmt: skip
    assert launch.activity_uuid == str(s.activity.uuid)
    assert send(s, statement(s.activity), token=data["token"]).json()["completed"] is True


def test_no_launch_token_for_someone_not_enrolled(setup, other_user):
    s = setup
    client = Client()
    client.force_login(other_user)
    response = client.get(launch_url(s.module, s.activity_id))
    assert response.status_code == 403
    assert "token" not in response.json()


def test_no_launch_token_for_a_block_that_is_not_there(setup):
    s = setup
    assert s.client.get(launch_url(s.module, "not-a-block")).status_code == 404
    text_id = block_id("tf/0/text")  # a block of the module, but not an H5P activity
    assert s.client.get(launch_url(s.module, text_id)).status_code == 404
    unknown_module = reverse("courses:h5p_launch", args=[999999, s.activity_id])
    assert s.client.get(unknown_module).status_code == 404


def test_no_launch_token_for_a_signed_out_person(setup):
    response = Client().get(launch_url(setup.module, setup.activity_id))
    _assert_refused(response, 401, "login")


def test_no_launch_token_in_an_unpublished_module(setup):
    s = setup
    s.module.unpublish()
    assert s.client.get(launch_url(s.module, s.activity_id)).status_code == 404


# --- Query counts -------------------------------------------------------------------------------
def _queries(client, url, body) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as captured:
        response = post_json(client, url, body)
    assert response.status_code == 200, response.content
    return len(captured), response.json()


def test_an_xapi_statement_takes_the_same_queries_in_small_and_large_courses(client, volunteer, tf):
    client.force_login(volunteer)
    counts = {}
    for slug, size in (("small", 3), ("large", 50)):
        course, modules = h5p_course(slug, tf, modules=size)
        services.enrolment_create(user=volunteer, course=course)
        now = timezone.now()
        ModuleProgress.objects.bulk_create([
            ModuleProgress(user=volunteer, module=m, course=course,
                           status=ProgressStatus.COMPLETED, completed_at=now, last_visited_at=now)
            for m in modules[:-1]
        ])  # fmt: skip
        module, activity_id = modules[-1], bid(slug, size - 1)
        url = xapi_url(module, activity_id)
        token = token_for(volunteer, module, activity_id, tf)

        def body(verb):
            return {"token": token, "statement": statement(tf, verb)}  # noqa: B023

        client.get(module.url)  # a running server: the learner opened the page
        post_json(client, url, body("interacted"))  # and the activity is known to the process
        quiet, result = _queries(client, url, body("interacted"))
        assert result == {"ok": True, "completed": False}
        completing, result = _queries(client, url, body("answered"))
        assert result["completed"] is True
        counts[slug] = (quiet, completing)

    (small_quiet, small_completing), (large_quiet, large_completing) = counts.values()
    assert small_quiet == large_quiet, f"non-completing: {small_quiet} for 3, {large_quiet} for 50"
    assert small_completing == large_completing, (
        f"completing: {small_completing} queries for 3 modules, {large_completing} for 50"
    )
    assert large_quiet <= 12, f"a non-completing statement takes {large_quiet} queries"


def test_saving_state_takes_few_queries(setup):
    s = setup
    _save_state(s, "{}")
    with CaptureQueriesContext(connection) as captured:
        assert _save_state(s, '{"progress": 2}').status_code == 200
    assert len(captured) <= 12, [q["sql"] for q in captured]


# --- Retention ----------------------------------------------------------------------------------
def test_old_statements_are_purged_and_completions_stay(setup, settings):
    s = setup
    settings.ACOMPANA_H5P_STATEMENT_DAYS = 30
    old, recent = statement(s.activity, "answered"), statement(s.activity, "interacted")
    assert send(s, old).json()["completed"] is True
    assert send(s, recent).status_code == 200
    now = timezone.now()
    H5PStatement.objects.filter(pk=old["id"]).update(stored_at=now - timedelta(days=31))
    H5PStatement.objects.filter(pk=recent["id"]).update(stored_at=now - timedelta(days=29))

    assert h5p_statements_purge.delay().get() == 1

    assert list(H5PStatement.objects.values_list("id", flat=True)) == [uuid.UUID(recent["id"])]
    assert ActivityCompletion.objects.filter(user=s.user, activity_id=s.activity_id).exists()
    assert ModuleProgress.objects.get(user=s.user).status == ProgressStatus.COMPLETED
    # Nothing left to purge: running it again is harmless.
    assert h5p_statements_purge.delay().get() == 0


def test_the_default_retention_keeps_statements_younger_than_its_days(setup, settings):
    s = setup
    stmt = statement(s.activity, "interacted")
    send(s, stmt)
    days = settings.ACOMPANA_H5P_STATEMENT_DAYS
    H5PStatement.objects.update(stored_at=timezone.now() - timedelta(days=days - 1))
    assert statements_purge() == 0
    H5PStatement.objects.update(stored_at=timezone.now() - timedelta(days=days + 1))
    assert statements_purge() == 1
    assert not H5PStatement.objects.exists()


# --- Bounded storage: what is kept of a statement, and the daily quota ---------------------------
def stored_bytes(raw) -> int:
    return len(json.dumps(raw, ensure_ascii=False, separators=(",", ":")).encode())


def bulky_statement(activity, verb="answered", *, size=60 * 1024, **kwargs) -> dict:
    """A statement as a hostile (or very verbose) player could send it: about `size` bytes, in
    every part the audit does not need, around the parts it does."""
    stmt = statement(activity, verb, scaled=0.8, **kwargs)
    filler = "B" * (size // 5)
    stmt["object"]["definition"].update({
        "description": {"en-US": filler},
        "choices": [{"id": str(i), "description": {"en-US": filler[:4000]}} for i in range(2)],
        "correctResponsesPattern": [filler[:2000]],
        "extensions": {"http://h5p.org/x-api/h5p-machine-name": filler[:3000]},
    })  # fmt: skip
    stmt["context"]["extensions"]["http://example.org/bulk"] = filler
    stmt["context"]["registration"] = "5c6e4b52-5e4d-4c27-8a0a-1f4b7f3b1e2a"
    stmt["context"]["contextActivities"]["parent"] = [{"id": "http://h5p.testserver/parent"}]
    stmt["result"]["response"] = filler
    stmt["result"]["extensions"] = {"http://h5p.org/x-api/h5p-subContentId": filler[:3000]}
    stmt["attachments"] = [{"usageType": "x", "display": {"en-US": filler[:3000]}}]
    return stmt


def test_a_60_kb_statement_is_stored_in_a_few_kb_with_what_the_audit_needs(setup, settings):
    s = setup
    stmt = bulky_statement(s.activity)
    body = json.dumps({"token": s.token, "statement": stmt})
    assert 55 * 1024 < len(body) <= settings.ACOMPANA_H5P_XAPI_MAX_BYTES

    response = post_json(s.client, s.url, body)

    assert response.status_code == 200, response.content
    assert response.json()["completed"] is True
    raw = H5PStatement.objects.get().raw
    assert stored_bytes(raw) <= 2 * 1024, stored_bytes(raw)
    assert "BBBB" not in json.dumps(raw)  # nothing of the bulk
    # What the audit needs: who, what, about what, how it went, when, in which attempt.
    assert raw["id"] == stmt["id"]
    assert raw["actor"] == xapi.actor_for(s.user)
    assert raw["verb"] == {"id": VERBS + "answered"}
    assert raw["object"]["id"] == xapi.object_iri(s.activity.uuid)
    assert raw["object"]["definition"] == {
        "name": {"en-US": "True or false"}, "interactionType": "true-false",
    }  # fmt: skip
    assert raw["result"] == {
        "score": {"min": 0, "max": 10, "raw": 8, "scaled": 0.8},
        "success": True, "completion": True, "duration": "PT4.2S",
    }  # fmt: skip
    assert raw["timestamp"] == stmt["timestamp"]
    assert raw["context"] == {
        "registration": stmt["context"]["registration"],
        "contextActivities": {
            "parent": [{"id": "http://h5p.testserver/parent"}],
            "category": [{"id": stmt["context"]["contextActivities"]["category"][0]["id"]}],
        },
    }
    assert "truncated" not in raw
    assert not set(raw) - {"id", "actor", "verb", "object", "result", "context", "timestamp"}


def test_the_stored_statement_stays_under_its_setting_and_valid(setup, settings):
    s = setup
    settings.ACOMPANA_H5P_STATEMENT_STORED_BYTES = 700
    stmt = bulky_statement(s.activity)
    # Long parts the audit would keep under the default size: they give way, in order.
    stmt["object"]["definition"]["name"] = {f"l{i}": "N" * 300 for i in range(3)}
    stmt["context"]["contextActivities"]["grouping"] = [{"id": "G" * 300}] * 3

    assert send(s, stmt).status_code == 200

    raw = H5PStatement.objects.get().raw
    assert stored_bytes(raw) <= 700, stored_bytes(raw)
    assert raw["truncated"] is True
    assert "definition" not in raw["object"] and "context" not in raw
    assert raw["id"] == stmt["id"] and raw["actor"] == xapi.actor_for(s.user)
    assert raw["result"]["score"]["scaled"] == 0.8 and raw["result"]["success"] is True


@pytest.mark.parametrize(
    "value",
    [10**400, 10**10, float("inf"), float("nan"), True, "8", [8]],
    ids=["huge", "large", "inf", "nan", "bool", "text", "list"],
)
def test_a_score_part_that_is_not_a_modest_number_is_not_kept(value):
    kept = xapi.statement_kept(
        {"result": {"score": {"raw": value, "max": 10}}}, statement_id=uuid.uuid4(),
        actor={"objectType": "Agent"}, verb_id=VERBS + "answered", object_id="http://x",
    )  # fmt: skip
    assert kept["result"]["score"] == {"max": 10}


def test_each_kept_text_is_bounded():
    kept = xapi.statement_kept(
        {"timestamp": "T" * 5000, "result": {"duration": "D" * 5000},
         "object": {"definition": {"name": {"en": "N" * 5000}, "type": "Y" * 5000}},
         "context": {"registration": "R" * 5000,
                     "contextActivities": {"other": [{"id": "O" * 5000}] * 50}}},
        statement_id=uuid.uuid4(), actor={}, verb_id="v", object_id="o", limit=10**6,
    )  # fmt: skip
    assert stored_bytes(kept) < 4096
    assert len(kept["object"]["definition"]["name"]["en"]) == xapi.KEPT_TEXT
    assert len(kept["context"]["contextActivities"]["other"]) == xapi.KEPT_CONTEXT_ACTIVITIES


def test_over_the_daily_quota_only_a_completing_statement_is_stored(setup, settings):
    s = setup
    settings.ACOMPANA_H5P_STATEMENTS_PER_DAY = 2
    for _ in range(2):
        assert send(s, statement(s.activity, "interacted")).json() == {
            "ok": True, "completed": False,
        }  # fmt: skip
    assert H5PStatement.objects.count() == 2

    # Past the quota: accepted (the page goes on to the next statement), not stored.
    plain = statement(s.activity, "interacted")
    response = send(s, plain)
    assert response.status_code == 200, response.content
    assert response.json() == {"ok": True, "completed": False, "stored": False}
    assert not H5PStatement.objects.filter(pk=plain["id"]).exists()

    # The statement that completes the activity is stored, and the completion recorded.
    answered = statement(s.activity, "answered", scaled=0.9)
    response = send(s, answered)
    assert response.status_code == 200, response.content
    assert response.json() == {"ok": True, "completed": True, "module_completed": True,
                               "score_raw": 9, "score_max": 10,
                               "status": "Completed · 9 of 10"}  # fmt: skip
    record = H5PStatement.objects.get(pk=answered["id"])
    assert record.counted is True
    assert record.raw["result"]["score"]["scaled"] == 0.9
    completion = ActivityCompletion.objects.get(user=s.user, activity_id=s.activity_id)
    assert completion.score == Decimal("90.00")
    assert ModuleProgress.objects.get(user=s.user).status == ProgressStatus.COMPLETED

    # Once completed, more completing statements add nothing: not stored either.
    again = statement(s.activity, "answered")
    assert send(s, again).json() == {
        "ok": True, "completed": True, "module_completed": True, "stored": False,
        "status": "Completed",
    }  # fmt: skip
    assert H5PStatement.objects.count() == 3


def test_over_the_quota_a_score_below_the_pass_mark_is_not_stored(pass_mark_setup, settings):
    s = pass_mark_setup
    settings.ACOMPANA_H5P_STATEMENTS_PER_DAY = 0
    below = statement(s.activity, "answered", scaled=0.5, success=False)
    assert send(s, below).json() == {
        "ok": True, "completed": False, "stored": False, "score_raw": 5, "score_max": 10,
        "passed": False, "pass_mark": 80, "status": "5 of 10 — not yet passed (pass mark 80%)",
    }  # fmt: skip
    assert nothing_recorded()
    passing = statement(s.activity, "answered", scaled=0.8)
    assert send(s, passing).json()["completed"] is True
    assert H5PStatement.objects.get().pk == uuid.UUID(passing["id"])
    assert ActivityCompletion.objects.get().score == Decimal("80.00")


def test_over_the_quota_a_childs_answer_is_not_stored(qs_setup, settings):
    s = qs_setup
    settings.ACOMPANA_H5P_STATEMENTS_PER_DAY = 0
    child = statement(s.activity, "answered", sub=s.activity.sub_content_ids[0])
    assert send(s, child).json() == {"ok": True, "completed": False, "stored": False}
    assert nothing_recorded()


def test_the_quota_is_per_learner_and_per_day(setup, settings, other_user, monkeypatch):
    s = setup
    settings.ACOMPANA_H5P_STATEMENTS_PER_DAY = 1
    today = datetime(2025, 1, 1, 23, 59, 0, tzinfo=UTC)
    clock = SimpleNamespace(now=lambda: today)
    monkeypatch.setattr(h5p_services, "timezone", clock)  # the quota is courses.h5p.services
    monkeypatch.setattr(ratelimit, "timezone", clock)  # the day's count is a ratelimit window
    assert "stored" not in send(s, statement(s.activity, "interacted")).json()
    assert send(s, statement(s.activity, "interacted")).json()["stored"] is False
    # Someone else is not held back by this learner's statements.
    services.enrolment_create(user=other_user, course=s.course)
    client = Client()
    client.force_login(other_user)
    token = token_for(other_user, s.module, s.activity_id, s.activity)
    assert "stored" not in send(s, statement(s.activity, "interacted"), token=token,
                                client=client).json()  # fmt: skip
    # The next day (UTC), the learner's statements are stored again.
    clock.now = lambda: today + timedelta(minutes=2)
    assert "stored" not in send(s, statement(s.activity, "interacted")).json()
    assert H5PStatement.objects.filter(user=s.user).count() == 2


def test_a_statement_takes_the_same_queries_whatever_its_size_or_the_quota(setup, settings):
    s = setup
    send(s, statement(s.activity, "interacted"))  # the activity is known to the process
    small, result = _queries(
        s.client, s.url, {"token": s.token, "statement": statement(s.activity, "interacted")}
    )
    assert result == {"ok": True, "completed": False}
    bulky, result = _queries(
        s.client, s.url, {"token": s.token, "statement": bulky_statement(s.activity, "interacted")}
    )
    assert result == {"ok": True, "completed": False}
    settings.ACOMPANA_H5P_STATEMENTS_PER_DAY = 0
    over, result = _queries(
        s.client, s.url, {"token": s.token, "statement": statement(s.activity, "interacted")}
    )
    assert result["stored"] is False
    assert bulky == small, f"a 60 KB statement takes {bulky} queries, a small one {small}"
    assert over < small, f"over the quota {over} queries (no INSERT), else {small}"


# --- The block, for editors ---------------------------------------------------------------------
def _clean(activity, *, pass_mark=None, required=True):
    block = H5PBlock()
    value = block.to_python({"activity": str(activity.uuid), "pass_mark": pass_mark,
                             "required": required})  # fmt: skip
    return block.clean(value)


def _with_library(activity, library):
    activity.main_library = library
    activity.save(update_fields=["main_library"])
    return activity


def test_content_that_never_reports_completion_cannot_be_required(tf):
    _with_library(tf, "H5P.Chart 1.2")
    with pytest.raises(StructBlockValidationError) as caught:
        _clean(tf, required=True)
    assert set(caught.value.block_errors) == {"required"}
    assert _clean(tf, required=False)["required"] is False


def test_content_that_never_reports_completion_has_no_pass_mark(tf):
    _with_library(tf, "H5P.Chart 1.2")
    with pytest.raises(StructBlockValidationError) as caught:
        _clean(tf, pass_mark=50, required=True)
    assert set(caught.value.block_errors) == {"required", "pass_mark"}


def test_content_without_a_score_has_no_pass_mark(tf):
    _with_library(tf, "H5P.Accordion 1.0")
    with pytest.raises(StructBlockValidationError) as caught:
        _clean(tf, pass_mark=80)
    assert set(caught.value.block_errors) == {"pass_mark"}
    assert _clean(tf, pass_mark=None, required=True)["required"] is True


def test_a_pass_mark_of_zero_on_content_without_a_score_is_refused(tf):
    _with_library(tf, "H5P.Accordion 1.0")
    with pytest.raises(StructBlockValidationError) as caught:
        _clean(tf, pass_mark=0)
    assert set(caught.value.block_errors) == {"pass_mark"}


@pytest.mark.parametrize("library", [None, "H5P.QuestionSet 1.20", "H5P.SomethingNew 1.0"])
def test_questions_containers_and_unknown_types_take_a_pass_mark(tf, library):
    if library:
        _with_library(tf, library)
    value = _clean(tf, pass_mark=80, required=True)
    assert value["pass_mark"] == 80
    assert value["required"] is True


# --- The module page ----------------------------------------------------------------------------
def test_the_module_page_gives_the_enrolled_learner_what_the_script_needs(setup):
    s = setup
    response = s.client.get(s.module.url)
    assert response.status_code == 200
    html = response.content.decode()
    token = page_attribute(html, "data-launch")
    launch = xapi.launch_check(token, user=s.user, module_id=s.module.pk,
                               activity_id=s.activity_id)  # fmt: skip
    assert launch.activity_uuid == str(s.activity.uuid)
    assert page_attribute(html, "data-xapi-url") == s.url
    assert page_attribute(html, "data-state-url") == state_url(s.module, s.activity_id)
    assert page_attribute(html, "data-launch-url") == launch_url(s.module, s.activity_id)
    assert page_attribute(html, "data-csrf")
    assert page_attribute(html, "data-origin") == "http://h5p.testserver"
    assert re.search(rf'src="http://h5p.testserver/h5p/play/{s.activity.uuid}/[^/"]+/"', html)
    assert "js/h5p.js" in html
    assert state_script(html, s.activity_id) is None  # nothing saved yet


def test_the_module_page_shows_a_completed_activity_with_its_score(setup):
    s = setup
    assert send(s, statement(s.activity, scaled=0.9)).json()["completed"] is True
    html = s.client.get(s.module.url).content.decode()
    assert "Completed · 9 of 10" in html  # the points of the statement that completed it
    assert "You have completed this module." in html


def test_the_admins_preview_panel_shows_the_module_with_its_player(setup, administrator):
    """Wagtail's preview renders the page without `serve`: it must get the same context."""
    client = Client()
    login_with_mfa(client, administrator)
    name = django_settings.SESSION_COOKIE_NAME
    cookie = f"{name}={client.cookies[name].value}"
    original = RequestFactory().get("/admin/pages/1/edit/preview/", HTTP_COOKIE=cookie)
    response = setup.module.specific.make_preview_request(original, "")
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(rf'src="http://h5p.testserver/h5p/play/{setup.activity.uuid}/[^/"]+/"', html)
    assert "data-launch=" not in html


def test_an_editor_previewing_gets_the_player_but_no_launch(setup, administrator):
    s = setup
    client = Client()
    login_with_mfa(client, administrator)
    response = client.get(s.module.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(rf'src="http://h5p.testserver/h5p/play/{s.activity.uuid}/[^/"]+/"', html)
    assert "data-launch=" not in html
    assert "data-xapi-url=" not in html
    assert state_script(html, s.activity_id) == "<no script>"
    # And the launch endpoint gives a previewing editor nothing to record with.
    assert client.get(launch_url(s.module, s.activity_id)).status_code == 403


def test_other_people_named_in_a_statement_are_not_kept(setup):
    s = setup
    stmt = statement(s.activity, authority={"mbox": "mailto:trainer@example.org"})
    stmt["context"]["instructor"] = {"mbox": "mailto:trainer@example.org"}
    stmt["context"]["team"] = {"objectType": "Group", "member": []}
    response = post_json(s.client, s.url, {"token": s.token, "statement": stmt})
    assert response.status_code == 200, response.content
    raw = H5PStatement.objects.get().raw
    assert "trainer@example.org" not in json.dumps(raw)
    assert "authority" not in raw and "team" not in raw["context"]
    assert raw["context"]["contextActivities"]  # the rest of the context is kept


def test_a_pass_mark_of_zero_asks_for_no_score(volunteer, client, tf):
    course, modules = make_course("zero", modules=1, body=lambda i: [
        h5p_block(f"zero/{i}/h5p", tf, pass_mark=0),
    ])  # fmt: skip
    services.enrolment_create(user=volunteer, course=course)
    client.force_login(volunteer)
    activity_id = block_id("zero/0/h5p")
    body = {"token": token_for(volunteer, modules[0], activity_id, tf),
            "statement": statement(tf, scaled=None)}  # fmt: skip
    response = post_json(client, xapi_url(modules[0], activity_id), body)
    assert response.json()["completed"] is True


def test_a_deeply_nested_body_is_refused_as_malformed(setup):
    """The JSON parser recurses once per level: 30,000 levels would pass Python's limit."""
    _assert_refused(post_json(setup.client, setup.url, "[" * 30000), 400, "malformed")
    _assert_refused(post_json(setup.client, state_url(setup.module, setup.activity_id),
                              '{"a":' * 30000), 400, "malformed")  # fmt: skip
    assert nothing_recorded()
