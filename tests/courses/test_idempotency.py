"""What the device queue sends (static/js/device-queue.js) is recorded once: a request sent again
with the same Idempotency-Key gets the first answer and records nothing more (training/
idempotency.py); xAPI statements are known by their own ids. Keys are one person's: another
person's same key is their own request. A missing key changes nothing; a bad one is refused
without running anything, never a 500."""

import json
import uuid
from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from courses import services
from courses.factories import block_id, correct_answers, make_course, text_block
from courses.models import (
    ActivityCompletion,
    ModuleProgress,
    ProgressStatus,
    QuizAttempt,
    Reflection,
)
from tests.courses.conftest import quiz_post
from tests.courses.test_h5p_xapi import (
    bid,
    h5p_course,
    launch_url,
    nothing_recorded,
    post_json,
    statement,
    tf,  # noqa: F401 — the fixture
    token_for,
    xapi_url,
)
from training import privacy
from training.device import device_owner
from training.factories import UserFactory
from training.idempotency import idempotency_keys_purge, idempotent
from training.models import IdempotencyKey, User
from training.tasks import purge_idempotency_keys

pytestmark = pytest.mark.django_db

KEY = "accompaniment/0/quiz"
JSON = {"HTTP_ACCEPT": "application/json"}


def _quiz_url(module):
    return reverse("courses:activity_action", args=[module.pk, block_id(KEY), "submit"])


def _reflection_url(module):
    reflection = block_id("accompaniment/0/reflection")
    return reverse("courses:activity_action", args=[module.pk, reflection, "save"])


def _send(client, url, data, key):
    return client.post(url, data, HTTP_IDEMPOTENCY_KEY=str(key), **JSON)


def test_a_quiz_answer_sent_twice_with_one_key_is_one_attempt_with_the_first_answer(
    client, learner, modules
):
    client.force_login(learner)
    key = uuid.uuid4()
    first = _send(client, _quiz_url(modules[0]), quiz_post(KEY, correct_answers(KEY), key), key)
    assert first.status_code == 200 and first.json()["passed"] is True
    # The same request again (its answer was lost): even with another submission id, the same
    # key gives the first answer, and nothing runs again.
    again = _send(client, _quiz_url(modules[0]), quiz_post(KEY, correct_answers(KEY)), key)
    assert again.status_code == 200
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert QuizAttempt.objects.filter(user=learner).count() == 1
    assert ActivityCompletion.objects.filter(user=learner, kind="quiz").count() == 1
    assert first.json()["message"] == "Well done: you passed this quiz."


def test_a_reflection_submitted_twice_with_one_key_is_recorded_once(client, learner, modules):
    client.force_login(learner)
    key = uuid.uuid4()
    url = _reflection_url(modules[0])
    first = _send(client, url, {"text": "Listening first.", "action": "submit"}, key)
    assert first.status_code == 200 and first.json()["submitted"] is True
    submitted_at = Reflection.objects.get(user=learner).submitted_at
    # Sent again after the learner changed the text and saved a draft: the replay changes
    # nothing (the draft, sent with its own key, stays).
    _send(client, url, {"text": "A newer draft.", "action": "save"}, uuid.uuid4())
    again = _send(client, url, {"text": "Listening first.", "action": "submit"}, key)
    assert again.json() == first.json()
    reflection = Reflection.objects.get(user=learner)
    assert (reflection.text, reflection.submitted_text) == ("A newer draft.", "Listening first.")
    assert reflection.submitted_at == submitted_at
    assert ActivityCompletion.objects.filter(user=learner, kind="reflection").count() == 1


@pytest.fixture
def plain_module(volunteer):
    """A module without activities: completed by "mark as done"."""
    course, (module,) = make_course("plain", modules=1, body=lambda i: [text_block(f"plain/{i}")])
    services.enrolment_create(user=volunteer, course=course)
    return module


def test_mark_as_done_sent_twice_with_one_key_completes_once(client, volunteer, plain_module):
    client.force_login(volunteer)
    url = reverse("courses:mark_done", args=[plain_module.pk])
    key = uuid.uuid4()
    first = _send(client, url, {}, key)
    assert first.status_code == 200 and first.json() == {"ok": True, "module_completed": True}
    progress = ModuleProgress.objects.get(user=volunteer, module=plain_module)
    completed_at = progress.completed_at
    again = _send(client, url, {}, key)
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    progress.refresh_from_db()
    assert progress.status == ProgressStatus.COMPLETED and progress.completed_at == completed_at
    assert IdempotencyKey.objects.filter(user=volunteer).count() == 1
    # Without a script (no key, no JSON), the form still posts and comes back to the page.
    plain = client.post(url)
    assert plain.status_code == 303 and plain["Location"] == plain_module.url


def test_two_people_sending_the_same_key_are_two_requests(client, learner, course, modules):
    other = UserFactory()
    services.enrolment_create(user=other, course=course)
    key = uuid.uuid4()
    client.force_login(learner)
    _send(client, _quiz_url(modules[0]), quiz_post(KEY, correct_answers(KEY)), key)
    second = Client()
    second.force_login(other)
    answer = _send(second, _quiz_url(modules[0]), quiz_post(KEY, correct_answers(KEY)), key)
    assert answer.status_code == 200 and not answer.has_header("Idempotent-Replayed")
    assert QuizAttempt.objects.filter(user=learner).count() == 1
    assert QuizAttempt.objects.filter(user=other).count() == 1
    assert IdempotencyKey.objects.filter(key=key).count() == 2


@pytest.mark.parametrize("bad", ["not-a-uuid", "", "x" * 500, "'; DROP TABLE x; --"])
def test_a_key_that_is_not_a_uuid_is_refused_and_records_nothing(client, learner, modules, bad):
    client.force_login(learner)
    response = client.post(_quiz_url(modules[0]), quiz_post(KEY, correct_answers(KEY)),
                           HTTP_IDEMPOTENCY_KEY=bad, **JSON)  # fmt: skip
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency"
    assert not QuizAttempt.objects.exists() and not IdempotencyKey.objects.exists()


def test_a_key_used_for_one_address_is_refused_for_another(client, learner, modules):
    client.force_login(learner)
    key = uuid.uuid4()
    _send(client, _quiz_url(modules[0]), quiz_post(KEY, correct_answers(KEY)), key)
    response = _send(client, _reflection_url(modules[0]), {"text": "x", "action": "save"}, key)
    assert response.status_code == 422 and response.json()["code"] == "idempotency"
    assert not Reflection.objects.exists()


def test_without_a_key_every_request_runs_as_before(client, learner, modules):
    client.force_login(learner)
    for _ in range(2):
        client.post(_quiz_url(modules[0]), quiz_post(KEY, correct_answers(KEY)), **JSON)
    assert QuizAttempt.objects.filter(user=learner).count() == 2
    assert not IdempotencyKey.objects.exists()


def test_a_refusal_is_the_first_answer_too(client, volunteer, modules):
    """Not enrolled: refused (400), and the same key gets the same refusal."""
    client.force_login(volunteer)
    key = uuid.uuid4()
    first = _send(client, _quiz_url(modules[0]), quiz_post(KEY, correct_answers(KEY)), key)
    assert first.status_code == 400
    again = _send(client, _quiz_url(modules[0]), quiz_post(KEY, correct_answers(KEY)), key)
    assert (again.status_code, again.json()) == (400, first.json())
    assert not QuizAttempt.objects.exists()


def test_a_signed_out_request_with_a_key_records_nothing(client, modules):
    response = _send(client, _quiz_url(modules[0]), quiz_post(KEY, correct_answers(KEY)),
                     uuid.uuid4())  # fmt: skip
    assert response.status_code == 302  # to the sign-in page, as without a key
    assert not IdempotencyKey.objects.exists()


def test_an_answer_the_server_failed_is_not_kept(client, learner, modules, monkeypatch):
    """A 500 (the work rolled back): the same key sent again runs again."""
    client.force_login(learner)
    client.raise_request_exception = False
    real = services.quiz_submit
    calls = []

    def failing(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the database went away")
        return real(**kwargs)

    monkeypatch.setattr(services, "quiz_submit", failing)
    key = uuid.uuid4()
    data = quiz_post(KEY, correct_answers(KEY), key)
    assert _send(client, _quiz_url(modules[0]), data, key).status_code == 500
    assert not IdempotencyKey.objects.exists()
    assert _send(client, _quiz_url(modules[0]), data, key).status_code == 200
    assert QuizAttempt.objects.filter(user=learner).count() == 1


def test_keys_are_forgotten_after_the_retention_period(learner, settings):
    settings.ACOMPANA_IDEMPOTENCY_DAYS = 30
    now = timezone.now()
    old = IdempotencyKey.objects.create(user=learner, key=uuid.uuid4(), path="/a/", status=200)
    IdempotencyKey.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=31))
    recent = IdempotencyKey.objects.create(user=learner, key=uuid.uuid4(), path="/b/", status=200)
    assert idempotency_keys_purge(now=now) == 1
    assert list(IdempotencyKey.objects.all()) == [recent]
    assert purge_idempotency_keys() == 0  # the scheduled task, recorded as a retention run


def test_keys_are_declared_personal_data_and_exported(learner):
    declaration = privacy.REGISTRY["training.IdempotencyKey"]
    assert declaration.retention.days_setting == "ACOMPANA_IDEMPOTENCY_DAYS"
    IdempotencyKey.objects.create(user=learner, key=uuid.uuid4(), path="/learn/x/", status=200,
                                  answer={"ok": True})  # fmt: skip
    rows = json.loads(json.dumps(declaration.export_rows(learner)))
    assert [(row["sent_to"], row["status"]) for row in rows] == [("/learn/x/", 200)]


# --- The device owner and a fresh CSRF token -----------------------------------------------------
def test_the_device_owner_is_opaque_per_person_and_on_every_page(client, learner):
    other = UserFactory()
    owner = device_owner(learner)
    assert len(owner) == 20 and owner != device_owner(other)
    assert str(learner.pk) != owner and learner.email not in owner
    assert device_owner(None) == ""
    client.force_login(learner)
    body = client.get(reverse("dashboard")).content.decode()
    assert f'data-device-owner="{owner}"' in body
    assert "js/device-queue" in body
    client.logout()
    body = client.get("/courses/").content.decode()
    assert 'data-device-owner=""' in body and "js/device-queue" not in body


def test_a_fresh_csrf_token_for_the_signed_in_only(client, learner):
    url = reverse("csrf_token")
    assert client.get(url).status_code == 401
    client.force_login(learner)
    response = client.get(url)
    assert response.status_code == 200 and response.json()["token"]
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert client.post(url).status_code in (403, 405)


def test_a_queued_request_with_a_fresh_token_passes_csrf(learner, modules):
    """The queue reads the token when it sends (cookie, else the fresh one): it is accepted."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    token = client.get(reverse("csrf_token")).json()["token"]
    key = uuid.uuid4()
    refused = client.post(_quiz_url(modules[0]), quiz_post(KEY, correct_answers(KEY), key),
                          HTTP_IDEMPOTENCY_KEY=str(key), **JSON)  # fmt: skip
    assert refused.status_code == 403  # no token at all
    accepted = client.post(
        _quiz_url(modules[0]), quiz_post(KEY, correct_answers(KEY), key),
        HTTP_IDEMPOTENCY_KEY=str(key), HTTP_X_CSRFTOKEN=token, **JSON,
    )  # fmt: skip
    assert accepted.status_code == 200
    assert QuizAttempt.objects.filter(user=learner).count() == 1


# --- Whose queue a request comes from -----------------------------------------------------------
OWNER = "HTTP_ACOMPANA_DEVICE_OWNER"


def test_a_request_queued_for_another_person_is_refused_and_records_nothing(
    client, learner, modules
):
    """A page left open by one person sends their queue after another signed in on the same
    browser: the session is the second person's, the queue says it is the first's."""
    other = UserFactory()
    client.force_login(learner)
    key = uuid.uuid4()
    data = quiz_post(KEY, correct_answers(KEY), key)
    response = client.post(_quiz_url(modules[0]), data, HTTP_IDEMPOTENCY_KEY=str(key),
                           **{OWNER: device_owner(other)}, **JSON)  # fmt: skip
    assert response.status_code == 401 and response.json()["code"] == "owner"
    assert not QuizAttempt.objects.exists() and not IdempotencyKey.objects.exists()
    # Without a key too, and for "mark as done" and reflections.
    reflection = client.post(_reflection_url(modules[0]), {"text": "x", "action": "save"},
                             **{OWNER: "not-anyone"}, **JSON)  # fmt: skip
    assert reflection.status_code == 401 and not Reflection.objects.exists()
    done = client.post(reverse("courses:mark_done", args=[modules[0].pk]),
                       **{OWNER: device_owner(other)}, **JSON)  # fmt: skip
    assert done.status_code == 401
    # The person's own queue (or a form posted without one) is answered as always.
    own = client.post(_quiz_url(modules[0]), data, HTTP_IDEMPOTENCY_KEY=str(key),
                      **{OWNER: device_owner(learner)}, **JSON)  # fmt: skip
    assert own.status_code == 200 and QuizAttempt.objects.filter(user=learner).count() == 1


def test_the_players_calls_queued_for_another_person_are_refused(volunteer, tf):  # noqa: F811
    course, (module,) = h5p_course("tf", tf)
    services.enrolment_create(user=volunteer, course=course)
    client = Client()
    client.force_login(volunteer)
    activity_id = bid("tf")
    body = {"token": token_for(volunteer, module, activity_id, tf),
            "statement": statement(tf, "answered", scaled=1.0)}  # fmt: skip
    other = device_owner(UserFactory())
    refused = post_json(client, xapi_url(module, activity_id), body, **{OWNER: other})
    assert refused.status_code == 401 and refused.json()["code"] == "owner"
    assert nothing_recorded(volunteer)
    launch = client.get(launch_url(module, activity_id), HTTP_ACCEPT="application/json",
                        **{OWNER: other})  # fmt: skip
    assert launch.status_code == 401 and "token" not in launch.json()
    sent = post_json(client, xapi_url(module, activity_id), body,
                     **{OWNER: device_owner(volunteer)})  # fmt: skip
    assert sent.status_code == 200 and not nothing_recorded(volunteer)


def test_the_fresh_csrf_token_says_whose_session_it_is(client, learner):
    client.force_login(learner)
    assert client.get(reverse("csrf_token")).json()["owner"] == device_owner(learner)


def test_what_a_view_wrote_before_a_server_error_is_rolled_back_with_its_key(learner, rf):
    @idempotent
    def failing(request):
        UserFactory(email="written@example.org")
        return HttpResponse(status=503)

    request = rf.post("/learn/x/", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    request.user, request.session = learner, SessionStore()
    assert failing(request).status_code == 503
    assert not IdempotencyKey.objects.exists()
    assert not User.objects.filter(email="written@example.org").exists()


def test_signing_out_asks_the_browser_to_clear_what_the_site_kept(client, learner):
    client.force_login(learner)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"storage"'
    # A page that only asks "sign out?" clears nothing.
    assert not client.get(reverse("account_logout")).has_header("Clear-Site-Data")
