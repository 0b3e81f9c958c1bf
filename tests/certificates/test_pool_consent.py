"""Pool consent per contact channel (issue 16, item 3): each contact is shared only with its own
consent, the pool may have its own email, the migration keeps exactly what people agreed to, the
settings page says what it does, and the language list serves the regions we work in."""

import csv
import io
import re
from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from certificates import api, pool, services
from certificates.forms import PoolMemberForm
from certificates.models import PoolMember
from tests.conftest import login_with_mfa, migrate_to
from training.models import AuditEntry

from .pool_factories import pool_person, pool_track

pytestmark = pytest.mark.django_db
POOL_SETTINGS = reverse("certificates:pool")
BEFORE = [("certificates", "0006_requirement_names_a_track_skill")]
AFTER = [("certificates", "0007_pool_consent_per_contact")]
NONE_SHARED = {"share_email": False, "share_phone": False, "share_other": False}


# --- The migration ------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_exactly_the_old_consent_and_back(latest_schema_after):
    old = migrate_to(BEFORE)
    User = old.get_model("training", "User")
    OldMember = old.get_model("certificates", "PoolMember")

    def member(name, phone="+1 555", other="sig", **fields):
        user = User.objects.create(email=f"{name}@example.org", display_name=name)
        return OldMember.objects.create(user=user, contact_phone=phone, contact_other=other,
                                        **fields).pk  # fmt: skip

    agreed, refused = member("agreed", share_contact=True), member("refused", share_contact=False)
    # Agreed with no phone and no other contact yet: those stay unticked, so a number typed
    # later is not shared without its own consent.
    email_only = member("email-only", phone="", other="", share_contact=True)
    no_phone = member("no-phone", phone="", share_contact=True)

    new = migrate_to(AFTER)
    NewMember = new.get_model("certificates", "PoolMember")
    shared = {m.pk: (m.share_email, m.share_phone, m.share_other, m.contact_email)
              for m in NewMember.objects.all()}  # fmt: skip
    # The email stays the sign-in email (no pool email is invented); nothing else is shared.
    assert shared == {
        agreed: (True, True, True, ""), refused: (False, False, False, ""),
        email_only: (True, False, False, ""), no_phone: (True, False, True, ""),
    }  # fmt: skip
    assert not NewMember.objects.filter(pk=agreed, share_region=True).exists()

    # Backwards, "my contact details" only where that is never more than agreed to.
    new_user = new.get_model("training", "User")

    def new_member(name, **fields):
        user = new_user.objects.create(email=f"{name}@example.org", display_name=name)
        return NewMember.objects.create(user=user, **fields).pk

    signal_only = new_member("signal", contact_other="signal:me", share_other=True)
    email_not_phone = new_member("email-not-phone", contact_phone="+1", share_email=True)
    pool_address = new_member("pool-address", contact_email="p@example.net", share_email=True)
    everything = new_member("everything", contact_phone="+1", share_email=True, share_phone=True)
    back = migrate_to(BEFORE)
    contact = dict(back.get_model("certificates", "PoolMember").objects.values_list(
        "pk", "share_contact"))  # fmt: skip
    assert contact == {
        agreed: True, refused: False, email_only: True, no_phone: True, signal_only: False,
        email_not_phone: False, pool_address: False, everything: True,
    }  # fmt: skip
    migrate_to(AFTER)


# --- Each contact on its own --------------------------------------------------------------------
@pytest.fixture
def people(db):
    track = pool_track()
    return {
        "signal": pool_person(track, name="Signal only", email="signal.signin@example.org",
                              contact_phone="+34 600 000 001", contact_other="signal:only",
                              **NONE_SHARED | {"share_other": True}),
        "phone": pool_person(track, name="Phone only", email="phone.signin@example.org",
                             contact_phone="+34 600 000 002", contact_other="signal:phone",
                             **NONE_SHARED | {"share_phone": True}),
        "pool email": pool_person(track, name="Pool email", email="pool.signin@example.org",
                                  contact_email="reach.me@example.net",
                                  contact_email_confirmed_at=timezone.now(),
                                  contact_phone="+34 600 000 003",
                                  **NONE_SHARED | {"share_email": True}),
        "sign-in email": pool_person(track, name="Sign-in email", email="mine@example.org",
                                     **NONE_SHARED | {"share_email": True}),
        # Not confirmed yet: no email at all (neither this one nor the sign-in email).
        "waiting": pool_person(track, name="Waiting", email="waiting.signin@example.org",
                               contact_email="not.yet@example.net", contact_other="signal:w",
                               **NONE_SHARED | {"share_email": True, "share_other": True}),
    }  # fmt: skip


EXPECTED = {
    "Signal only": (None, None, "signal:only"),
    "Phone only": (None, "+34 600 000 002", None),
    "Pool email": ("reach.me@example.net", None, None),
    "Sign-in email": ("mine@example.org", None, None),
    "Waiting": (None, None, "signal:w"),
}
NEVER = ["signal.signin@example.org", "phone.signin@example.org", "pool.signin@example.org",
         "+34 600 000 001", "+34 600 000 003", "signal:phone", "not.yet@example.net",
         "waiting.signin@example.org"]  # fmt: skip


def test_the_coordinators_page_shows_each_contact_only_with_its_consent(client, coordinator,
                                                                        people):  # fmt: skip
    login_with_mfa(client, coordinator)
    response = client.get(reverse("certificates:pool_list"))
    rows = {row["display_name"]: (row["email"], row["phone"], row["other_contact"])
            for _member, row, _languages in response.context["rows"]}  # fmt: skip
    assert rows == EXPECTED
    html = response.content.decode()
    html = html[html.index("<tbody>") : html.index("</tbody>")]
    for private in NEVER:
        assert private not in html, private
    # A phone or a Signal shared without an email is shown (not "not shared").
    assert "signal:only" in html and "+34 600 000 002" in html


def test_exports_and_the_api_carry_each_contact_only_with_its_consent(client, coordinator,
                                                                      people):  # fmt: skip
    login_with_mfa(client, coordinator)
    response = client.post(reverse("certificates:export_csv"))
    text = b"".join(response.streaming_content).decode("utf-8")
    keys = [key for key, _label in pool.COLUMNS]
    rows = {row[1]: row for row in csv.reader(io.StringIO(text[1:], newline=""))}
    for name, contacts in EXPECTED.items():
        got = tuple(rows[name][keys.index(key)] or None
                    for key in ("email", "phone", "other_contact"))  # fmt: skip
        assert got == contacts, name
    for private in NEVER:
        assert private not in text, private

    _token, secret = api.token_create(user=coordinator, name="Helpdesk")
    client.logout()
    answer = client.get("/api/v1/responders/", HTTP_AUTHORIZATION=f"Bearer {secret}").json()
    got = {row["display_name"]: (row["email"], row["phone"], row["other_contact"])
           for row in answer["results"]}  # fmt: skip
    assert got == EXPECTED


# --- The settings page --------------------------------------------------------------------------
def test_each_contact_consent_is_saved_on_its_own(client, people):
    member = people["phone"]
    client.force_login(member.user)
    response = client.post(POOL_SETTINGS, {
        "action": "save", "contact_email": "pool@example.net", "contact_phone": "+34 1",
        "contact_other": "signal:x", "share_other": "on",
    })  # fmt: skip
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.contact_email == "pool@example.net"
    assert (member.share_email, member.share_phone, member.share_other) == (False, False, True)
    assert member.contact_email_pending


def test_the_form_names_the_email_that_would_be_shared(people):
    with translation.override("en"):
        label = str(PoolMemberForm(instance=people["pool email"]).fields["share_email"].label)
        assert "reach.me@example.net" in label and "pool.signin" not in label
        label = str(PoolMemberForm(instance=people["sign-in email"]).fields["share_email"].label)
        assert "sign-in email" in label and "mine@example.org" in label


def test_the_page_says_what_starts_ticked_and_what_leaving_does(client, settings, db):
    settings.ACOMPANA_POOL_LEFT_DAYS = 123
    track = pool_track()
    member = pool_person(track, name="New")
    member.delete()  # certified, not yet in the pool
    user = member.user
    client.force_login(user)
    with translation.override("en"):
        html = client.get(POOL_SETTINGS).content.decode()
        assert "nothing is ticked" in html
        joined = services.pool_join(user=user)
        html = client.get(POOL_SETTINGS).content.decode()
        for name in ("share_email", "share_phone", "share_other", "share_languages"):
            box = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
            assert "checked" not in box, name
        assert "nothing starts ticked" in html and "123 days" in html and "deleted" in html
        client.post(POOL_SETTINGS, {"action": "leave"}, follow=True)
        joined.refresh_from_db()
        assert joined.status == PoolMember.Status.LEFT
        html = client.get(POOL_SETTINGS).content.decode()
        assert "123 days" in html and "until you rejoin" not in html


def test_leaving_deletes_the_details_after_the_period_the_page_states(settings, db):
    settings.ACOMPANA_POOL_LEFT_DAYS = 30
    member = pool_person(pool_track(), name="Gone", status=PoolMember.Status.LEFT,
                         contact_other="signal:gone", share_other=True)  # fmt: skip
    PoolMember.objects.filter(pk=member.pk).update(left_at=timezone.now() - timedelta(days=29))
    assert services.pool_forget() == 0
    PoolMember.objects.filter(pk=member.pk).update(left_at=timezone.now() - timedelta(days=31))
    assert services.pool_forget() == 1
    assert not PoolMember.objects.filter(pk=member.pk).exists()


# --- Languages ----------------------------------------------------------------------------------
REGIONS = ["am", "ha", "yo", "sw", "tl", "qu", "ay", "ps", "so", "zgh", "gn", "ig", "zu", "wo",
           "ff", "om", "ti", "rw", "ln", "ne", "si", "my", "km"]  # fmt: skip


def test_the_language_list_has_the_regions_we_serve_and_no_constructed_languages():
    pool._spoken_languages.cache_clear()
    pool._language_names.cache_clear()
    with translation.override("en"):
        names = dict(pool.spoken_languages())
    for code in REGIONS:
        assert code in names and names[code] != code, code
    assert names["zgh"] == "Tamazight" and names["qu"] == "Quechua"
    for code in ("eo", "ia", "io", "ie", "vo"):
        assert code not in names, code
    assert "en" in names and "es" in names


def test_a_language_no_longer_offered_still_shows_and_can_be_kept(client):
    member = pool_person(pool_track(), name="Esperantist", languages=[("eo", "fluent")])
    with translation.override("en"):
        assert pool.languages_text(member.languages) == "Esperanto (Fluent)"
        form = PoolMemberForm(instance=member)
        assert "eo" in dict(form.fields["language_0"].choices)
    client.force_login(member.user)
    client.post(POOL_SETTINGS, {"action": "save", "language_0": "eo", "level_0": "fluent"})
    member.refresh_from_db()
    assert member.languages == [{"code": "eo", "level": "fluent"}]


# --- The pool's email is confirmed before it is shared ------------------------------------------
def _link(mail) -> str:
    return re.search(r"https?://\S+/certification/pool/email/\S+/", mail.body).group(0)


def _path(link: str) -> str:
    return link[link.index("/certification/") :]


def test_a_new_pool_email_waits_for_its_owner_to_confirm_it(client, mailoutbox):
    member = pool_person(pool_track(), name="Ana", email="ana.signin@example.org",
                         **NONE_SHARED | {"share_email": True})  # fmt: skip
    member.user.preferred_language = "es"
    member.user.save()
    client.force_login(member.user)
    with translation.override("en"):
        client.post(POOL_SETTINGS, {"action": "save", "contact_email": "ana@example.net",
                                    "share_email": "on"})  # fmt: skip
        member.refresh_from_db()
        assert member.contact_email_pending
        # Nothing shared for it, and not the sign-in email instead.
        values = pool.members().filter(pk=member.pk).values(*pool.FIELDS).get()
        assert pool.record(values)["email"] is None
    # The page speaks the person's language (Spanish): the notice, with the address.
    html = client.get(POOL_SETTINGS).content.decode()
    assert 'id="pool-email-pending"' in html and "ana@example.net" in html
    with translation.override("es"):
        assert str(_("Send the link again")) in html

    (mail,) = mailoutbox
    assert mail.to == ["ana@example.net"]
    assert mail.body.startswith("Hola")  # in the person's language (Spanish)
    assert "Ana" not in mail.body  # a neutral greeting: the address may not be hers
    link = _link(mail)

    # Someone else signed in (e.g. whoever owns the address) cannot confirm it.
    other = pool_person(pool_track(), name="Other")
    client.force_login(other.user)
    client.get(_path(link))
    member.refresh_from_db()
    assert member.contact_email_pending

    # Not signed in: asked to sign in first.
    client.logout()
    response = client.get(_path(link))
    assert response.status_code == 302 and "login" in response["Location"]

    client.force_login(member.user)
    response = client.get(_path(link))
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.contact_email_confirmed_at is not None
    values = pool.members().filter(pk=member.pk).values(*pool.FIELDS).get()
    assert pool.record(values)["email"] == "ana@example.net"
    assert (
        AuditEntry.objects.filter(action="pool.email_confirmed", subject=member.user).count() == 1
    )

    # A new address starts unconfirmed again; the old link no longer confirms anything.
    client.post(POOL_SETTINGS, {"action": "save", "contact_email": "ana2@example.net",
                                "share_email": "on"})  # fmt: skip
    member.refresh_from_db()
    assert member.contact_email == "ana2@example.net" and member.contact_email_pending
    client.get(_path(link))
    member.refresh_from_db()
    assert member.contact_email_pending
    assert mailoutbox[-1].to == ["ana2@example.net"]


def test_an_expired_or_tampered_link_is_refused(client, mailoutbox, settings):
    member = pool_person(pool_track(), name="Bea", contact_email="bea@example.net",
                         **NONE_SHARED | {"share_email": True})  # fmt: skip
    client.force_login(member.user)
    client.post(POOL_SETTINGS, {"action": "resend"})
    path = _path(_link(mailoutbox[-1]))
    client.get(path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:])
    member.refresh_from_db()
    assert member.contact_email_pending
    later = timezone.now() + timedelta(days=8)
    with mock.patch("django.core.signing.time.time", return_value=later.timestamp()):
        client.get(path)
    member.refresh_from_db()
    assert member.contact_email_pending
    client.get(path)
    member.refresh_from_db()
    assert not member.contact_email_pending


def test_confirmation_emails_are_rate_limited(client, mailoutbox):
    member = pool_person(pool_track(), name="Cai", contact_email="cai@example.net")
    client.force_login(member.user)
    for _attempt in range(5):
        client.post(POOL_SETTINGS, {"action": "resend"})
    assert len(mailoutbox) == 3


def test_the_contact_labels_match_the_help_text(people):
    with translation.override("en"):
        form = PoolMemberForm(instance=people["sign-in email"])
        assert str(form.fields["share_email"].label).startswith("My sign-in email (")
        assert "“My sign-in email”" in str(form.fields["contact_email"].help_text)
        form = PoolMemberForm(instance=people["pool email"])
        assert str(form.fields["share_email"].label).startswith("My email for the pool (")


def test_leaving_for_one_day_says_one_day(client, settings):
    settings.ACOMPANA_POOL_LEFT_DAYS = 1
    member = pool_person(pool_track(), name="Dee")
    client.force_login(member.user)
    with translation.override("en"):
        response = client.post(POOL_SETTINGS, {"action": "leave"}, follow=True)
    texts = [str(m) for m in response.context["messages"]]
    assert any("for 1 day in case" in text for text in texts), texts


def test_language_names_are_djangos_so_its_translations_apply():
    pool._spoken_languages.cache_clear()
    pool._language_names.cache_clear()
    with translation.override("es"):
        names = dict(pool.spoken_languages())
        assert "no" not in names and "nb" in names and "nn" in names
        assert names["nb"] != "Norwegian Bokmal" and "Bokmal" not in names["nb"]
        assert pool.language_name("no") != "no"  # a stored code still shows its name
        assert "zh" in names


def test_a_mail_server_failure_keeps_the_address_unconfirmed_and_says_so(client, mailoutbox):
    member = pool_person(pool_track(), name="Eva")
    client.force_login(member.user)
    with mock.patch("certificates.pool_email.EmailMessage.send", side_effect=OSError):
        response = client.post(POOL_SETTINGS, {"action": "save", "contact_email": "e@example.net"},
                               follow=True)  # fmt: skip
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.contact_email == "e@example.net" and member.contact_email_pending
    with translation.override("en"):
        assert "send the link again" in response.content.decode()
