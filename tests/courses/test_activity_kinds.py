"""The activity kinds' registry: one address for every action, the kinds' own views and actions,
and "acknowledge", the kind added by its own module (courses/acknowledge.py)."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import resolve, reverse

from courses import activities, services
from courses.activities import Action, ActivityKind
from courses.factories import block_id, correct_answers, make_course, text_block
from courses.models import ActivityCompletion, ModuleProgress, QuizAttempt
from tests.courses.conftest import quiz_post
from training.factories import UserFactory

pytestmark = pytest.mark.django_db

QUIZ = block_id("accompaniment/0/quiz")


def _url(module, activity_id, action):
    return reverse("courses:activity_action", args=[module.pk, activity_id, action])


def test_each_action_belongs_to_one_kind_and_names_a_method_of_it():
    offered = {}
    for kind in activities._KINDS.values():
        for name, action in kind.actions.items():
            assert name not in offered, f"{name} offered by {offered.get(name)} and {kind.name}"
            offered[name] = kind.name
            assert callable(getattr(kind, action.handler))
            assert activities.kind_for_action(name) == (kind, action)
    assert {"submit", "save", "xapi", "state", "launch", "acknowledge"} <= set(offered)
    assert activities.kind_for_action("nothing") is None


def test_a_kind_cannot_take_another_kinds_action():
    class Copycat(ActivityKind):
        name = block_type = "copycat"
        actions = {"submit": Action("grade")}

        def grade(self, act):
            return None

    with pytest.raises(ImproperlyConfigured):
        activities.register(Copycat())
    assert activities.kind_for_block("copycat") is None
    assert activities.kind_for_action("submit")[0].name == "quiz"


def test_a_kind_cannot_name_an_action_it_does_not_have():
    class Forgetful(ActivityKind):
        name = block_type = "forgetful"
        actions = {"forget": Action("forget")}

    with pytest.raises(ImproperlyConfigured):
        activities.register(Forgetful())
    assert activities.kind_for_action("forget") is None


def test_the_old_names_give_the_one_address_and_the_old_addresses_still_answer(modules):
    module = modules[0]
    one = f"/learn/modules/{module.pk}/activities/{QUIZ}/"
    for name, action in [
        ("quiz_submit", "submit"),
        ("reflection_save", "save"),
        ("h5p_xapi", "xapi"),
        ("h5p_state", "state"),
        ("h5p_launch", "launch"),
    ]:
        assert reverse(f"courses:{name}", args=[module.pk, QUIZ]) == f"{one}{action}/"
        assert reverse(f"courses:{name}", args=[module.pk, QUIZ]) == _url(module, QUIZ, action)
    for old, action in [("quiz", "submit"), ("reflection", "save"), ("h5p", "xapi")]:
        path = f"/learn/modules/{module.pk}/{old}/{QUIZ}/" + ("xapi/" if old == "h5p" else "")
        match = resolve(path)
        assert match.url_name is None and match.kwargs["action"] == action  # fmt: skip


def test_a_quiz_is_answered_at_the_one_address(client, learner, modules):
    client.force_login(learner)
    key = "accompaniment/0/quiz"
    response = client.post(_url(modules[0], QUIZ, "submit"), quiz_post(key, correct_answers(key)),
                           HTTP_ACCEPT="application/json")  # fmt: skip
    assert response.status_code == 200 and response.json()["passed"] is True
    assert QuizAttempt.objects.filter(user=learner, activity_id=QUIZ, passed=True).exists()


def test_a_quiz_is_still_answered_at_its_old_address(client, learner, modules):
    client.force_login(learner)
    key = "accompaniment/0/quiz"
    response = client.post(f"/learn/modules/{modules[0].pk}/quiz/{QUIZ}/",
                           quiz_post(key, correct_answers(key)))  # fmt: skip
    assert response.status_code == 303
    assert response["Location"] == f"{modules[0].url}#activity-{QUIZ}"
    assert QuizAttempt.objects.filter(user=learner, passed=True).count() == 1


def test_the_module_page_posts_each_activity_to_the_one_address(client, learner, modules):
    client.force_login(learner)
    html = client.get(modules[0].url).content.decode()
    assert f'action="{_url(modules[0], QUIZ, "submit")}"' in html
    reflection = block_id("accompaniment/0/reflection")
    assert f'action="{_url(modules[0], reflection, "save")}"' in html
    assert "/quiz/" not in html and "/reflection/" not in html


def test_an_action_nobody_offers_is_not_found(client, learner, modules):
    client.force_login(learner)
    assert client.post(_url(modules[0], QUIZ, "grade")).status_code == 404


def test_an_action_answers_its_own_method_only(client, learner, modules):
    client.force_login(learner)
    assert client.get(_url(modules[0], QUIZ, "submit")).status_code == 405
    assert client.post(_url(modules[0], QUIZ, "launch")).status_code == 405


def test_signed_out_a_form_goes_to_sign_in_and_the_players_calls_get_json(client, modules):
    response = client.post(_url(modules[0], QUIZ, "submit"))
    assert response.status_code == 302 and "login" in response["Location"]
    response = client.post(_url(modules[0], QUIZ, "xapi"), data="{}",
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 401 and response.json()["code"] == "login"


def test_an_action_on_a_module_of_an_unpublished_course_is_not_found(client, learner, course,
                                                                     modules):  # fmt: skip
    client.force_login(learner)
    course.unpublish()
    assert client.post(_url(modules[0], QUIZ, "submit"), {}).status_code == 404
    assert not QuizAttempt.objects.exists()


# --- The new kind: acknowledge ------------------------------------------------------------------
ACK = block_id("protocols/0/acknowledge")


def acknowledge_block(key, *, required=True):
    return {
        "type": "acknowledge",
        "id": block_id(key),
        "value": {"title": "Safety protocol", "text": "Never share a survivor's location.",
                  "statement": "I have read the safety protocol.", "required": required},
    }  # fmt: skip


@pytest.fixture
def protocol(volunteer):
    course, modules = make_course(
        "protocols", modules=2,
        body=lambda i: [text_block(f"protocols/{i}/text"),
                        acknowledge_block(f"protocols/{i}/acknowledge")],
    )  # fmt: skip
    services.enrolment_create(user=volunteer, course=course)
    return course, modules


def test_the_module_page_shows_the_protocol_to_confirm(client, volunteer, protocol):
    _course, modules = protocol
    client.force_login(volunteer)
    html = client.get(modules[0].url).content.decode()
    assert "Safety protocol" in html and "Never share a survivor" in html
    assert f'action="{_url(modules[0], ACK, "acknowledge")}"' in html
    assert 'name="confirmed"' in html and "I have read the safety protocol." in html


def test_confirming_completes_the_activity_and_the_module(client, volunteer, protocol):
    _course, modules = protocol
    client.force_login(volunteer)
    response = client.post(_url(modules[0], ACK, "acknowledge"), {"confirmed": "on"})
    assert response.status_code == 303
    assert response["Location"] == f"{modules[0].url}#activity-{ACK}"
    completion = ActivityCompletion.objects.get(user=volunteer, module=modules[0])
    assert (completion.activity_id, completion.kind) == (ACK, "acknowledge")
    progress = ModuleProgress.objects.get(user=volunteer, module=modules[0])
    assert progress.completed_at is not None
    html = client.get(modules[0].url).content.decode()
    assert "Confirmed" in html and 'name="confirmed"' not in html


def test_confirming_twice_records_it_once(client, volunteer, protocol):
    _course, modules = protocol
    client.force_login(volunteer)
    for _ in range(2):
        response = client.post(_url(modules[0], ACK, "acknowledge"), {"confirmed": "on"},
                               HTTP_ACCEPT="application/json")  # fmt: skip
        assert response.json() == {"ok": True}
    assert ActivityCompletion.objects.filter(user=volunteer).count() == 1


def test_without_the_box_ticked_nothing_is_recorded(client, volunteer, protocol):
    _course, modules = protocol
    client.force_login(volunteer)
    response = client.post(_url(modules[0], ACK, "acknowledge"), {},
                           HTTP_ACCEPT="application/json")  # fmt: skip
    assert response.status_code == 400 and response.json()["ok"] is False
    assert not ActivityCompletion.objects.exists()


def test_only_an_acknowledgement_can_be_acknowledged(client, learner, modules):
    client.force_login(learner)
    response = client.post(_url(modules[0], QUIZ, "acknowledge"), {"confirmed": "on"},
                           HTTP_ACCEPT="application/json")  # fmt: skip
    assert response.status_code == 400
    assert not ActivityCompletion.objects.exists()


def test_a_locked_module_cannot_be_acknowledged(client, volunteer, protocol):
    _course, modules = protocol
    modules[1].requires_previous = True
    modules[1].save_revision().publish()
    client.force_login(volunteer)
    ack = block_id("protocols/1/acknowledge")
    response = client.post(_url(modules[1], ack, "acknowledge"), {"confirmed": "on"},
                           HTTP_ACCEPT="application/json")  # fmt: skip
    assert response.status_code == 400
    assert not ActivityCompletion.objects.exists()


def test_someone_not_enrolled_cannot_acknowledge(client, protocol):
    _course, modules = protocol
    stranger = UserFactory()
    client.force_login(stranger)
    response = client.post(_url(modules[0], ACK, "acknowledge"), {"confirmed": "on"},
                           HTTP_ACCEPT="application/json")  # fmt: skip
    assert response.status_code == 400
    assert not ActivityCompletion.objects.exists()
