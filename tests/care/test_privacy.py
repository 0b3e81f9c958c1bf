"""Check-ins are the person's only: trainers see aggregates of at least five answers, never one
answer and never who answered; nobody else reaches anyone's check-ins or plan."""

import pytest
from django.test import Client
from django.urls import reverse

from care.models import CheckIn, SelfCarePlan
from care.selectors import CARE_MIN_GROUP, cohort_aggregates
from care.services import checkin_create, plan_save

pytestmark = pytest.mark.django_db

NOT_ENOUGH = "Not enough answers yet to show without identifying anyone."


def _answer(person, cohort, carrying=2, energy=3, note="", module=None):
    return checkin_create(
        user=person,
        cohort=cohort,
        carrying=carrying,
        energy=energy,
        note=note,
        module=module,
        kind=CheckIn.Kind.AFTER_MODULE if module else CheckIn.Kind.WEEKLY,
    )


def _signed_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def test_only_the_person_sees_their_answers(cohort, members, trainer_client):
    mine = _answer(members[0], cohort, note="I could not sleep after the role play")
    own = _signed_in(members[0]).get(reverse("care:home"))
    assert "I could not sleep after the role play" in own.content.decode()

    other = _signed_in(members[1])
    assert "I could not sleep" not in other.get(reverse("care:home")).content.decode()
    # Nobody deletes another person's check-in: 404, and it stays.
    assert other.post(reverse("care:check_in_delete", args=[mine.pk])).status_code == 404
    assert trainer_client.post(reverse("care:check_in_delete", args=[mine.pk])).status_code == 404
    assert CheckIn.objects.filter(pk=mine.pk).exists()

    page = trainer_client.get(reverse("care:trainer_care", args=[cohort.slug])).content.decode()
    assert "I could not sleep" not in page
    assert members[0].display_name not in page
    assert NOT_ENOUGH in page


def test_other_people_and_other_trainers_get_404(cohort, members, client):
    from tests.conftest import login_with_mfa  # noqa: PLC0415
    from training.factories import UserFactory  # noqa: PLC0415
    from training.roles import Role  # noqa: PLC0415

    stranger = UserFactory(roles=[Role.TRAINER])
    login_with_mfa(client, stranger)
    assert client.get(reverse("care:trainer_care", args=[cohort.slug])).status_code == 404
    volunteer = _signed_in(members[0])
    assert volunteer.get(reverse("care:trainer_care", args=[cohort.slug])).status_code == 403


def test_aggregates_appear_at_five_answers_only(cohort, members, trainer_client):
    url = reverse("care:trainer_care", args=[cohort.slug])
    for person in members[: CARE_MIN_GROUP - 1]:
        _answer(person, cohort, carrying=1, energy=5)
    page = trainer_client.get(url).content.decode()
    assert NOT_ENOUGH in page
    assert "Answers</dt>" not in page

    _answer(members[CARE_MIN_GROUP - 1], cohort, carrying=5, energy=5)
    page = trainer_client.get(url).content.decode()
    assert NOT_ENOUGH not in page
    assert "<dd>5</dd>" in page  # five answers
    assert "<dd>1.8</dd>" in page  # (1 + 1 + 1 + 1 + 5) / 5
    assert "<dd>5.0</dd>" in page
    for person in members:
        assert person.display_name not in page


def test_a_heavy_module_below_five_people_is_not_even_listed(cohort, members, trainer_client):
    module = cohort.courses.first().get_children().specific().first()
    module.heavy = True
    module.save()
    for person in members[:5]:
        _answer(person, cohort)  # weekly: five people in the cohort
    for person in members[:4]:
        _answer(person, cohort, module=module)
    page = trainer_client.get(reverse("care:trainer_care", args=[cohort.slug])).content.decode()
    # Listed with "not enough", the module would tell who answered where one person finished it.
    assert module.title not in page
    assert NOT_ENOUGH not in page  # the cohort's five weekly answers are shown


def test_five_answers_of_one_person_are_not_a_group(cohort, members):
    for _ in range(5):
        _answer(members[0], cohort)
    assert not cohort_aggregates(cohort)["overall"].shown
    for person in members[1:5]:
        _answer(person, cohort, carrying=1)
    shown = cohort_aggregates(cohort)["overall"]
    assert (shown.shown, shown.answers) == (True, 5)
    # Answering again changes nothing a trainer sees.
    _answer(members[1], cohort, carrying=5)
    again = cohort_aggregates(cohort)["overall"]
    assert (again.answers, again.carrying) == (shown.answers, shown.carrying)


def test_the_plan_is_never_shown_to_anyone_else(cohort, members, trainer_client):
    plan_save(
        user=members[0],
        signals="I stop answering friends",
        what_helps="Long walks",
        who_to_call="My sister",
    )
    assert "Long walks" in _signed_in(members[0]).get(reverse("care:plan")).content.decode()
    for client in (_signed_in(members[1]), trainer_client):
        assert "Long walks" not in client.get(reverse("care:plan")).content.decode()
    assert Client().get(reverse("care:plan")).status_code == 302  # to sign in
    # A delete only ever deletes one's own.
    _signed_in(members[1]).post(reverse("care:plan_delete"))
    assert SelfCarePlan.objects.filter(user=members[0]).exists()


def test_deleting_one_or_all_of_ones_own(cohort, members):
    person = members[0]
    first, second = _answer(person, cohort), _answer(person, cohort)
    keep = _answer(members[1], cohort)
    client = _signed_in(person)
    client.post(reverse("care:check_in_delete", args=[first.pk]))
    assert set(CheckIn.objects.filter(user=person)) == {second}
    client.post(reverse("care:check_ins_delete_all"))  # not confirmed: nothing goes
    assert CheckIn.objects.filter(user=person).exists()
    client.post(reverse("care:check_ins_delete_all"), {"confirm": "yes"})
    assert not CheckIn.objects.filter(user=person).exists()
    assert CheckIn.objects.filter(pk=keep.pk).exists()


def test_check_in_form_records_a_heavy_module_in_the_members_cohort(cohort, members):
    module = cohort.courses.first().get_children().specific().first()
    module.heavy = True
    module.save()
    client = _signed_in(members[0])
    url = reverse("care:check_in") + f"?module={module.pk}"
    assert module.title in client.get(url).content.decode()
    response = client.post(url, {"carrying": "2", "energy": "3", "wants_debrief": "no"})
    assert response.status_code == 302
    checkin = CheckIn.objects.get(user=members[0])
    assert (checkin.kind, checkin.module_id, checkin.cohort_id) == (
        "after_module",
        module.pk,
        cohort.pk,
    )
    # Out of the scale: refused.
    assert (
        client.post(url, {"carrying": "9", "energy": "3", "wants_debrief": "no"}).status_code == 200
    )
    assert CheckIn.objects.filter(user=members[0]).count() == 1
