"""The responder pool: the coordinators' search (/pool/), who may open the pool's pages, and the
volunteer's own pool settings (/certification/pool/)."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from certificates import services
from certificates.models import PoolExport, PoolMember
from tests.audit import pool_entries
from tests.conftest import enrol_totp, login_with_mfa
from training.factories import UserFactory

from .pool_factories import BOGOTA, JAKARTA, KOLKATA, certify, pool_person, pool_track

pytestmark = pytest.mark.django_db
Status = PoolMember.Status


@pytest.fixture
def track(db):
    return pool_track()


def listed(client, **params) -> list[str]:
    response = client.get(reverse("certificates:pool_list"), params)
    assert response.status_code == 200
    return [row["display_name"] for _member, row, _languages in response.context["rows"]]


def rows_by_name(client, **params) -> dict[str, dict]:
    response = client.get(reverse("certificates:pool_list"), params)
    assert response.status_code == 200
    return {row["display_name"]: row for _member, row, _languages in response.context["rows"]}


# --- Filters ------------------------------------------------------------------------------------
def test_language_filter_matches_only_people_who_share_their_languages(coord_client, track):
    pool_person(track, name="Ana", languages=[("es", "native"), ("en", "fluent")])
    pool_person(track, name="Bea", languages=[("es", "native")], share_languages=False)
    pool_person(track, name="Cai", languages=[("en", "native")])
    pool_person(track, name="Dev", languages=[("kab", "fluent")])

    assert listed(coord_client, language="es") == ["Ana"]
    assert listed(coord_client, language="en") == ["Ana", "Cai"]
    # A code is matched whole: Georgian ("ka") does not find a Kabyle ("kab") speaker.
    assert listed(coord_client, language="ka") == []
    assert listed(coord_client, language="kab") == ["Dev"]
    assert sorted(listed(coord_client)) == ["Ana", "Bea", "Cai", "Dev"]
    # Bea is listed without filters, but her languages are not shown.
    rows = rows_by_name(coord_client)
    assert rows["Bea"]["languages"] is None
    assert rows["Ana"]["languages"] == [{"code": "es", "level": "native"},
                                        {"code": "en", "level": "fluent"}]  # fmt: skip


def test_focus_filter_matches_only_people_who_share_their_focus_areas(coord_client, track):
    pool_person(track, name="Ana", focus_areas=["harassment", "digital_security"])
    pool_person(track, name="Bea", focus_areas=["digital_security"], share_focus_areas=False)
    pool_person(track, name="Cai", focus_areas=["documentation"])

    assert listed(coord_client, focus="digital_security") == ["Ana"]
    assert listed(coord_client, focus="documentation") == ["Cai"]
    assert listed(coord_client, focus="legal_orientation") == []
    assert rows_by_name(coord_client)["Bea"]["focus_areas"] is None


def test_time_zone_range_uses_utc_offsets(coord_client, track):
    pool_person(track, name="Kol", time_zone=KOLKATA)  # +5:30
    pool_person(track, name="Jak", time_zone=JAKARTA)  # +7
    pool_person(track, name="Bog", time_zone=BOGOTA)  # -5
    pool_person(track, name="Hidden", time_zone=KOLKATA, share_time_zone=False)

    assert listed(coord_client, tz_from=5, tz_to=6) == ["Kol"]
    assert listed(coord_client, tz_from=5, tz_to=7) == ["Jak", "Kol"]
    assert listed(coord_client, tz_from=-6, tz_to=-4) == ["Bog"]
    assert listed(coord_client, tz_from=6) == ["Jak"]  # open-ended: up to +14
    assert listed(coord_client, tz_to=0) == ["Bog"]  # from -12
    assert listed(coord_client, tz_from=-12, tz_to=14) == ["Bog", "Jak", "Kol"]
    assert listed(coord_client, tz_from=8, tz_to=9) == []


def test_a_time_zone_range_may_wrap_around_the_date_line(coord_client, track):
    """From UTC+7 to UTC-3 goes east: +7 to +14, then -12 to -3 (a helpline covering Asia,
    the Pacific and the Americas). Zones without daylight saving: the same any day."""
    for name, zone in [("Jak", JAKARTA), ("Tok", "Asia/Tokyo"), ("Kir", "Pacific/Kiritimati"),
                       ("Pag", "Pacific/Pago_Pago"), ("Hon", "Pacific/Honolulu"),
                       ("Bog", BOGOTA), ("Sao", "America/Sao_Paulo"), ("Kol", KOLKATA),
                       ("Utc", "UTC"), ("Cap", "Atlantic/Cape_Verde")]:  # fmt: skip
        pool_person(track, name=name, time_zone=zone)
    pool_person(track, name="Hidden", time_zone="Asia/Tokyo", share_time_zone=False)

    response = coord_client.get(reverse("certificates:pool_list"), {"tz_from": 7, "tz_to": -3})
    assert response.status_code == 200 and not response.context["form"].errors
    names = [row["display_name"] for _member, row, _languages in response.context["rows"]]
    assert names == ["Bog", "Hon", "Jak", "Kir", "Pag", "Sao", "Tok"]
    # The same range the ordinary way round is the other side of the world.
    assert listed(coord_client, tz_from=-3, tz_to=7) == ["Cap", "Jak", "Kol", "Sao", "Utc"]
    # Across the date line only: the zones at +14 (and -12, where nobody lives).
    assert listed(coord_client, tz_from=14, tz_to=-12) == ["Kir"]
    assert "date line" in response.content.decode()  # the form explains it


def test_availability_filter(coord_client, track):
    pool_person(track, name="Ready")
    pool_person(track, name="Resting", status=Status.PAUSED)

    assert listed(coord_client) == ["Ready"]  # by default: available now
    assert listed(coord_client, availability="available") == ["Ready"]
    assert listed(coord_client, availability="any") == ["Ready", "Resting"]
    rows = rows_by_name(coord_client, availability="any")
    assert rows["Resting"]["availability"] == "paused"
    assert rows["Ready"]["availability"] == "available"


def test_min_hours_matches_only_people_who_share_their_availability(coord_client, track):
    pool_person(track, name="Few", hours_per_week=2)
    pool_person(track, name="Many", hours_per_week=20)
    pool_person(track, name="Private", hours_per_week=30, share_availability=False)
    pool_person(track, name="Unknown", hours_per_week=None)

    assert listed(coord_client, min_hours=10) == ["Many"]
    assert listed(coord_client, min_hours=2) == ["Few", "Many"]
    assert listed(coord_client, min_hours=0) == ["Few", "Many"]
    rows = rows_by_name(coord_client)
    assert rows["Private"]["hours_per_week"] is None
    assert rows["Many"]["hours_per_week"] == 20


def test_expires_before_reads_the_latest_valid_certificate(coord_client, track):
    today = timezone.localdate()
    pool_person(track, name="Soon", days_left=20)
    pool_person(track, name="Later", days_left=300)
    renewed = pool_person(track, name="Renewed", days_left=20)
    certify(renewed.user, track, period=2, days_left=700)

    assert listed(coord_client, expires_before=(today + timedelta(days=60)).isoformat()) == ["Soon"]
    assert listed(coord_client, expires_before=(today + timedelta(days=400)).isoformat()) == [
        "Later", "Soon",
    ]  # fmt: skip
    rows = rows_by_name(coord_client)
    assert rows["Renewed"]["certified_until"] == (today + timedelta(days=700)).isoformat()


def test_filters_combine(coord_client, track):
    pool_person(track, name="Match", languages=[("es", "native")], time_zone=BOGOTA,
                focus_areas=["harassment"], hours_per_week=10)  # fmt: skip
    pool_person(track, name="Wrong zone", languages=[("es", "native")], time_zone=JAKARTA,
                focus_areas=["harassment"], hours_per_week=10)  # fmt: skip
    pool_person(track, name="Paused match", languages=[("es", "native")], time_zone=BOGOTA,
                focus_areas=["harassment"], hours_per_week=10, status=Status.PAUSED)  # fmt: skip
    query = {"language": "es", "focus": "harassment", "tz_from": -6, "tz_to": -4, "min_hours": 5}
    assert listed(coord_client, **query) == ["Match"]
    assert listed(coord_client, **query, availability="any") == ["Match", "Paused match"]


def test_someone_who_shares_nothing_is_listed_by_name_only_and_never_matches(coord_client, track):
    secretive = pool_person(
        track, name="Secretive", email="secretive@example.org", languages=[("ast", "native")],
        region="Secret Valley", time_zone=JAKARTA, focus_areas=["legal_orientation"],
        channels=["in_person"], hours_per_week=33, contact_phone="+99 555 0101",
        contact_other="signal:secretive", share_languages=False, share_region=False,
        share_time_zone=False, share_focus_areas=False, share_channels=False,
        share_availability=False, share_email=False, share_phone=False, share_other=False,
    )  # fmt: skip
    pool_person(track, name="Open", email="open@example.org", region="Andes",
                contact_phone="+57 300", share_email=True, share_phone=True,
                share_other=True)  # fmt: skip

    response = coord_client.get(reverse("certificates:pool_list"))
    html = response.content.decode()
    html = html[html.index("<tbody>") : html.index("</tbody>")]  # the rows, not the filters
    assert "Secretive" in html
    for private in ("secretive@example.org", "Secret Valley", "Jakarta", "+99 555 0101",
                    "signal:secretive", "Legal orientation", "In person", "33 h/week"):  # fmt: skip
        assert private not in html, private
    assert "open@example.org" in html and "Andes" in html and "+57 300" in html

    row = rows_by_name(coord_client)["Secretive"]
    assert row["id"] and str(secretive.user_id) != row["id"]
    assert {key for key, value in row.items() if value is not None} == {
        "id",
        "display_name",
        "availability",
        "certified_until",
    }
    for query in ({"language": "ast"}, {"focus": "legal_orientation"},
                  {"tz_from": 7, "tz_to": 7}, {"min_hours": 1}):  # fmt: skip
        assert "Secretive" not in listed(coord_client, **query), query


def test_people_without_a_current_pool_certificate_or_out_of_the_pool_are_never_listed(
    coord_client, track
):
    closed = pool_track(grants_pool=False)
    pool_person(track, name="In")
    pool_person(track, name="Left", status=Status.LEFT)
    pool_person(track, name="Removed", status=Status.REMOVED)
    pool_person(track, name="Expired", days_left=-1)
    pool_person(track, name="Revoked", revoked=True)
    pool_person(closed, name="Other track")
    pool_person(None, name="No certificate")
    # An expired pool certificate does not count even with a valid one on a non-pool track.
    mixed = pool_person(track, name="Mixed", days_left=-3)
    certify(mixed.user, closed, days_left=300)
    # A revoked first certificate but a valid renewal: listed.
    renewed = pool_person(track, name="Renewed", revoked=True)
    certify(renewed.user, track, period=2, days_left=200)

    everyone = listed(coord_client, availability="any")
    assert everyone == ["In", "Renewed"]
    for query in ({"language": "en"}, {"tz_from": 0, "tz_to": 0}, {"min_hours": 0}):
        assert set(listed(coord_client, availability="any", **query)) <= {"In", "Renewed"}


def test_expires_today_still_listed(coord_client, track):
    pool_person(track, name="Last day", days_left=0)
    assert listed(coord_client) == ["Last day"]


def test_revoking_the_certificate_takes_the_person_out_of_the_pool(coord_client, coordinator,
                                                                   track):  # fmt: skip
    member = pool_person(track, name="Soon gone")
    assert listed(coord_client) == ["Soon gone"]
    certificate = member.user.certificates.get()
    services.certificate_revoke(
        certificate=certificate, by=coordinator, reason="conduct", notify=False
    )
    member.refresh_from_db()
    assert member.status == Status.REMOVED
    assert listed(coord_client, availability="any") == []


def test_the_list_is_paginated_by_fifty(coord_client, track):
    for number in range(55):
        pool_person(track, name=f"Person {number:02d}")
    first = coord_client.get(reverse("certificates:pool_list"), {"language": "en"})
    assert first.context["page"].paginator.count == 55
    assert len(first.context["rows"]) == 50
    assert "language=en&amp;page=2" in first.content.decode()
    second = coord_client.get(reverse("certificates:pool_list"), {"language": "en", "page": 2})
    names = [row["display_name"] for _m, row, _languages in second.context["rows"]]
    assert names == [f"Person {n}" for n in range(50, 55)]


# --- Who may open the pool's pages --------------------------------------------------------------
def _export(db_user):
    return PoolExport.objects.create(requested_by=db_user,
                                     expires_at=timezone.now() + timedelta(hours=1))  # fmt: skip


POOL_PAGES = [
    ("get", "certificates:pool_list", {}),
    ("post", "certificates:export_csv", {}),
    ("post", "certificates:export_json", {}),
    ("post", "certificates:export_xlsx", {}),
    ("get", "certificates:access_log", {}),
    ("get", "certificates:tokens", {}),
    ("post", "certificates:tokens", {"name": "Zammad"}),
]


@pytest.mark.parametrize(("method", "name", "data"), POOL_PAGES)
@pytest.mark.parametrize("who", ["volunteer", "trainer"])
def test_volunteers_and_trainers_are_refused(client, request, track, method, name, data, who):
    pool_person(track, name="Someone")
    user = request.getfixturevalue(who)
    login_with_mfa(client, user)
    response = getattr(client, method)(reverse(name), data)
    assert response.status_code == 403
    assert not pool_entries().exists()
    assert not PoolExport.objects.exists()


@pytest.mark.parametrize(("method", "name", "data"), POOL_PAGES)
def test_anonymous_people_are_sent_to_sign_in(client, track, method, name, data):
    pool_person(track, name="Someone")
    response = getattr(client, method)(reverse(name), data)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")
    assert not pool_entries().exists()


@pytest.mark.parametrize(("method", "name", "data"), POOL_PAGES)
def test_a_coordinator_without_a_second_factor_is_sent_to_set_one_up(
    client, coordinator, track, method, name, data
):
    pool_person(track, name="Someone")
    client.force_login(coordinator)
    response = getattr(client, method)(reverse(name), data)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_required"))
    assert not pool_entries().exists()
    assert not PoolExport.objects.exists()


def test_a_coordinator_whose_session_skipped_the_second_factor_is_asked_for_it(client, coordinator):
    enrol_totp(coordinator)
    client.force_login(coordinator)
    response = client.get(reverse("certificates:pool_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))


@pytest.mark.parametrize("view", ["certificates:export", "certificates:export_download"])
def test_export_pages_refuse_volunteers_and_trainers(client, volunteer, trainer, coordinator,
                                                     view):  # fmt: skip
    export = _export(coordinator)
    for user in (volunteer, trainer):
        login_with_mfa(client, user)
        assert client.get(reverse(view, args=[export.pk])).status_code == 403
        client.logout()
    response = client.get(reverse(view, args=[export.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_coordinator_sees_the_pool(coord_client, track):
    pool_person(track, name="Visible")
    response = coord_client.get(reverse("certificates:pool_list"))
    assert response.status_code == 200
    assert "Visible" in response.content.decode()


# --- The volunteer's pool settings --------------------------------------------------------------
POOL_SETTINGS = "/certification/pool/"


def test_pool_settings_url():
    assert reverse("certificates:pool") == POOL_SETTINGS


def test_anonymous_people_cannot_open_pool_settings(client):
    response = client.get(POOL_SETTINGS)
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("certificate", ["none", "expired", "revoked", "not-a-pool-track"])
def test_joining_needs_a_valid_pool_certificate(client, volunteer, track, certificate):
    if certificate == "expired":
        certify(volunteer, track, days_left=-1)
    elif certificate == "revoked":
        certify(volunteer, track, revoked=True)
    elif certificate == "not-a-pool-track":
        certify(volunteer, pool_track(grants_pool=False))
    client.force_login(volunteer)
    page = client.get(POOL_SETTINGS)
    assert "Join the pool" not in page.content.decode()
    response = client.post(POOL_SETTINGS, {"action": "join"}, follow=True)
    assert "The pool is for people with a valid certificate." in response.content.decode()
    assert not PoolMember.objects.filter(user=volunteer).exists()


def test_join_pause_resume_leave_and_rejoin(client, coordinator, track):
    person = UserFactory(display_name="Joiner", time_zone=KOLKATA)
    certify(person, track)
    coordinator_client = client.__class__()
    login_with_mfa(coordinator_client, coordinator)
    client.force_login(person)
    assert "Join the pool" in client.get(POOL_SETTINGS).content.decode()

    response = client.post(POOL_SETTINGS, {"action": "join"})
    assert response.status_code == 302
    member = PoolMember.objects.get(user=person)
    assert member.status == Status.ACTIVE and member.time_zone == KOLKATA
    assert listed(coordinator_client) == ["Joiner"]

    client.post(POOL_SETTINGS, {"action": "pause"})
    member.refresh_from_db()
    assert member.status == Status.PAUSED
    assert listed(coordinator_client) == []
    assert listed(coordinator_client, availability="any") == ["Joiner"]
    assert "Resume" in client.get(POOL_SETTINGS).content.decode()

    client.post(POOL_SETTINGS, {"action": "resume"})
    member.refresh_from_db()
    assert member.status == Status.ACTIVE and member.left_at is None

    client.post(POOL_SETTINGS, {"action": "leave"})
    member.refresh_from_db()
    assert member.status == Status.LEFT and member.left_at is not None
    assert listed(coordinator_client, availability="any") == []
    assert "Rejoin the pool" in client.get(POOL_SETTINGS).content.decode()

    client.post(POOL_SETTINGS, {"action": "join"})
    member.refresh_from_db()
    assert member.status == Status.ACTIVE and member.left_at is None
    assert PoolMember.objects.filter(user=person).count() == 1


def test_a_removed_member_cannot_resume_or_pause(client, track):
    member = pool_person(track, name="Removed", status=Status.REMOVED, days_left=-2)
    client.force_login(member.user)
    for action in ("resume", "pause"):
        response = client.post(POOL_SETTINGS, {"action": action}, follow=True)
        assert "The pool is for people with a valid certificate." in response.content.decode()
        member.refresh_from_db()
        assert member.status == Status.REMOVED
    response = client.post(POOL_SETTINGS, {"action": "join"}, follow=True)
    member.refresh_from_db()
    assert member.status == Status.REMOVED


def test_a_left_member_without_a_valid_certificate_cannot_come_back(client, track):
    member = pool_person(track, name="Gone", status=Status.LEFT, days_left=-2)
    client.force_login(member.user)
    client.post(POOL_SETTINGS, {"action": "resume"})
    member.refresh_from_db()
    assert member.status == Status.LEFT


def test_actions_without_membership_are_not_found(client, volunteer):
    client.force_login(volunteer)
    assert client.post(POOL_SETTINGS, {"action": "pause"}).status_code == 404
    assert client.post(POOL_SETTINGS, {"action": "save"}).status_code == 404
    assert not PoolMember.objects.exists()


def test_an_unknown_action_cannot_change_the_status(client, track):
    member = pool_person(track, name="Steady", region="Andes")
    client.force_login(member.user)
    response = client.post(POOL_SETTINGS, {"action": "remove", "status": "removed",
                                           "region": "Andes"})  # fmt: skip
    member.refresh_from_db()
    # Treated as saving the form, which has no status field.
    assert response.status_code == 302
    assert member.status == Status.ACTIVE


def test_details_and_consent_are_saved(client, coordinator, track):
    member = pool_person(track, name="Saver", languages=[], share_email=False,
                         share_phone=False, share_other=False, share_languages=True)  # fmt: skip
    client.force_login(member.user)
    response = client.post(POOL_SETTINGS, {
        "action": "save",
        "language_0": "es", "level_0": "native",
        "language_1": "fr", "level_1": "working",
        "language_2": "es", "level_2": "fluent",  # a repeat is dropped
        "region": "Andes", "time_zone": BOGOTA, "focus_areas": ["harassment", "documentation"],
        "channels": ["chat", "video"], "hours_per_week": "6", "contact_phone": "+57 300",
        "contact_other": "signal:saver",
        # Ticked: contact, region, time zone, focus areas. Not ticked: languages, channels,
        # availability.
        "share_email": "on", "share_phone": "on", "share_region": "on", "share_time_zone": "on",
        "share_focus_areas": "on",
    })  # fmt: skip
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.languages == [{"code": "es", "level": "native"},
                                {"code": "fr", "level": "working"}]  # fmt: skip
    assert member.language_index == "|es|fr|"
    assert member.focus_index == "|harassment|documentation|"
    assert (member.region, member.time_zone, member.hours_per_week) == ("Andes", BOGOTA, 6)
    assert member.channels == ["chat", "video"]
    assert (member.share_email, member.share_phone, member.share_region, member.share_time_zone,
            member.share_focus_areas) == (True, True, True, True, True)  # fmt: skip
    assert (member.share_languages, member.share_channels, member.share_availability) == (
        False, False, False,
    )  # fmt: skip
    assert member.status == Status.ACTIVE

    login_with_mfa(client, coordinator)
    assert listed(client, focus="documentation", tz_from=-5, tz_to=-5) == ["Saver"]
    assert listed(client, language="es") == []  # languages kept private now
    assert listed(client, min_hours=1) == []
    row = rows_by_name(client)["Saver"]
    assert row["email"] == member.user.email and row["phone"] == "+57 300"
    assert row["languages"] is None and row["channels"] is None and row["hours_per_week"] is None

    # Unticking contact hides it again.
    client.force_login(member.user)
    client.post(POOL_SETTINGS, {"action": "save", "language_0": "es", "level_0": "native",
                                "region": "Andes", "share_region": "on"})  # fmt: skip
    member.refresh_from_db()
    assert not (member.share_email or member.share_phone or member.share_focus_areas)
    login_with_mfa(client, coordinator)
    row = rows_by_name(client)["Saver"]
    assert row["email"] is None and row["phone"] is None and row["other_contact"] is None


def test_the_settings_form_shows_the_saved_choices(client, track):
    member = pool_person(track, name="Shown", languages=[("pt", "working")], region="Sertão",
                         share_email=True, share_phone=True, share_other=True)  # fmt: skip
    client.force_login(member.user)
    member.share_channels = False
    member.save()
    html = client.get(POOL_SETTINGS).content.decode()

    def checkbox(name):
        return re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)

    assert 'value="Sertão"' in html
    assert "checked" in checkbox("share_phone")
    assert "checked" in checkbox("share_region")
    assert "checked" not in checkbox("share_channels")
    language = re.search(r'<select name="language_0".*?</select>', html, re.S).group(0)
    assert '<option value="pt" selected>' in language
    level = re.search(r'<select name="level_0".*?</select>', html, re.S).group(0)
    assert '<option value="working" selected>' in level
