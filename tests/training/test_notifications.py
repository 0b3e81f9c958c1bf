"""The platform's messages (training/notifications.py): each app registers its kinds, a new kind
needs no migration, people turn non-essential kinds off as (person, kind) rows on /notifications/,
the record of messages sent and the opt-outs are exported and erased, and the migration from
cohorts' NotificationLog and NotificationSettings keeps every row (both ways)."""

import re
import threading
import time
from datetime import timedelta

import psycopg
import pytest
from django.core import mail
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tests.cohorts.factories import make_cohort
from tests.conftest import migrate_to
from training import notifications, privacy
from training.factories import UserFactory
from training.models import NotificationLog, NotificationOptOut, User
from training.notifications import GROUPS, KINDS, Kind, group, register, send

pytestmark = pytest.mark.django_db

BEFORE = [("cohorts", "0009_requirement_skills_move_to_their_track")]
AFTER = [("cohorts", "0010_notifications_move_to_training")]


def checkbox(page: str, name: str) -> str:
    """The <input> of the checkbox `name` on the page ("" when there is none)."""
    found = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    return found.group(0) if found else ""


@pytest.fixture
def registry():
    """Kinds and groups registered by a test are forgotten after it."""
    kinds, groups = dict(KINDS), dict(GROUPS)
    yield
    KINDS.clear()
    KINDS.update(kinds)
    GROUPS.clear()
    GROUPS.update(groups)


# --- The registry -------------------------------------------------------------------------------
def test_each_app_registers_its_own_kinds():
    cohorts_kinds = {"application_decided", "session_reminder_24h", "nudge", "digest"}
    certificates_kinds = {"certificate_ready", "renewal_reminder", "certificate_revoked",
                          "certificate_expired"}  # fmt: skip
    assert cohorts_kinds | certificates_kinds <= set(KINDS)
    assert all(KINDS[name].essential for name in certificates_kinds)
    assert KINDS["certificate_ready"].template.startswith("certificates/")
    assert KINDS["nudge"].template.startswith("cohorts/")


def test_a_non_essential_kind_needs_a_group_and_a_label(registry):
    with pytest.raises(ValueError, match="group and a label"):
        register(Kind("case_digest", _("Cases"), "includes/email_hello.txt", essential=False))
    with pytest.raises(ValueError, match="group and a label"):
        register(Kind("case_digest", _("Cases"), "includes/email_hello.txt", essential=False,
                      group="nowhere", label=_("cases")))  # fmt: skip
    assert "case_digest" not in KINDS


def test_a_kind_registered_twice_differently_is_refused(registry):
    register(Kind("case_ready", _("Your case"), "includes/email_hello.txt"))
    register(Kind("case_ready", _("Your case"), "includes/email_hello.txt"))  # the same: fine
    with pytest.raises(ValueError, match="registered twice"):
        register(Kind("case_ready", _("Another subject"), "includes/email_hello.txt"))


def test_a_new_kind_needs_no_migration_to_be_chosen_and_turned_off(registry, client):
    """A new kind is one `register` call: it shows on the settings page, a person turns it off
    there (one row), and sending skips them."""
    group("cases", _("Case practice"), order=40)
    register(Kind("case_digest", _("Case practice this week"), "includes/email_hello.txt",
                  essential=False, group="cases",
                  label=_("a weekly summary of case practice")))  # fmt: skip
    keen, quiet = UserFactory(), UserFactory()
    client.force_login(quiet)
    url = reverse("cohorts:notification_settings")
    page = client.get(url).content.decode()
    assert "Case practice" in page and "A weekly summary of case practice" in page
    assert " checked" in checkbox(page, "case_digest")  # on until turned off
    chosen = {kind.name: "on" for kind in notifications.choosable_kinds(quiet)}
    del chosen["case_digest"]
    client.post(url, chosen)
    assert notifications.opted_out(quiet) == {"case_digest"}

    people = [(keen, f"case:{keen.pk}"), (quiet, f"case:{quiet.pk}")]
    assert send("case_digest", people, lambda user: {}) == 1
    assert [m.to for m in mail.outbox] == [[keen.email]]
    assert mail.outbox[0].subject == "Case practice this week"


# --- The settings page --------------------------------------------------------------------------
def test_the_page_lists_every_non_essential_kind_grouped(client, volunteer):
    client.force_login(volunteer)
    page = client.get(reverse("cohorts:notification_settings")).content.decode()
    for legend in ("Reminders before live sessions", "Your learning"):
        assert f"<legend>{legend}</legend>" in page
    for name in ("session_reminder_24h", "session_reminder_1h", "module_released", "nudge"):
        assert checkbox(page, name)
    assert "For trainers" not in page and not checkbox(page, "digest")  # not a trainer
    assert not any(checkbox(page, kind.name) for kind in KINDS.values() if kind.essential)


def test_a_trainer_chooses_the_daily_summary_too(client, trainer):
    make_cohort(trainer=trainer)
    client.force_login(trainer)
    url = reverse("cohorts:notification_settings")
    page = client.get(url).content.decode()
    assert "<legend>For trainers</legend>" in page and "daily summary" in page
    client.post(url, {"session_reminder_24h": "on", "session_reminder_1h": "on"})
    assert notifications.opted_out(trainer) == {"module_released", "nudge", "digest"}
    client.post(url, {"digest": "on", "nudge": "on", "module_released": "on",
                      "session_reminder_1h": "on"})  # fmt: skip
    assert notifications.opted_out(trainer) == {"session_reminder_24h"}
    page = client.get(url).content.decode()
    assert checkbox(page, "session_reminder_24h") and " checked" not in checkbox(
        page, "session_reminder_24h"
    )
    assert " checked" in checkbox(page, "digest")


def test_a_choice_the_person_is_not_shown_is_kept(client, volunteer):
    """A former trainer's "no daily summary" stays: the page only changes what it shows."""
    NotificationOptOut.objects.create(user=volunteer, kind="digest")
    client.force_login(volunteer)
    client.post(reverse("cohorts:notification_settings"), {})
    assert notifications.opted_out(volunteer) == {
        "digest", "session_reminder_24h", "session_reminder_1h", "module_released", "nudge",
    }  # fmt: skip


# --- Personal data (moved from tests/cohorts/test_personal_data.py) ----------------------------
def test_the_export_and_the_erasure_hold_the_persons_rows_and_nobody_elses():
    alba = UserFactory(display_name="Alba")
    bea = UserFactory(display_name="Bea")
    NotificationLog.objects.create(user=alba, key=f"decided:alba:{alba.pk}",
                                   kind="application_decided")  # fmt: skip
    NotificationLog.objects.create(user=bea, key=f"decided:bea:{bea.pk}",
                                   kind="application_decided")  # fmt: skip
    NotificationOptOut.objects.create(user=alba, kind="nudge")
    NotificationOptOut.objects.create(user=bea, kind="module_released")

    logs = privacy.REGISTRY["training.NotificationLog"]
    opt_outs = privacy.REGISTRY["training.NotificationOptOut"]
    (sent,) = logs.export_rows(alba)
    assert (sent["kind"], sent["subject"]) == ("application_decided", "News about your application")
    (off,) = opt_outs.export_rows(alba)
    assert (off["kind"], off["choice"]) == (
        "nudge",
        "A gentle reminder when I have not been active",
    )

    logs.erase_rows(alba)
    opt_outs.erase_rows(alba)
    assert not NotificationLog.objects.filter(user=alba).exists()
    assert not NotificationOptOut.objects.filter(user=alba).exists()
    assert NotificationLog.objects.filter(user=bea).exists()
    assert NotificationOptOut.objects.filter(user=bea).exists()


# --- The migration from cohorts -----------------------------------------------------------------
def _old_rows(old):
    """Cohorts' log and settings for three people, before the migration."""
    User_ = old.get_model("training", "User")
    OldLog = old.get_model("cohorts", "NotificationLog")
    Settings = old.get_model("cohorts", "NotificationSettings")
    ana, ben, cris = (User_.objects.create(email=f"{name}@example.org", display_name=name)
                      for name in ("ana", "ben", "cris"))  # fmt: skip
    long_ago = timezone.now() - timedelta(days=40)
    nudged = OldLog.objects.create(user=ana, key=f"nudge:1:{ana.pk}:2026-W01", kind="nudge")
    OldLog.objects.filter(pk=nudged.pk).update(sent_at=long_ago)
    OldLog.objects.create(user=ben, key=f"released:3:{ben.pk}", kind="module_released")
    Settings.objects.create(user=ana, session_reminders=False, digest=False)
    Settings.objects.create(user=ben)  # everything on: the same as no row
    Settings.objects.create(user=cris, module_released=False, nudges=False)
    return ana, ben, cris, long_ago


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_every_message_sent_and_turns_settings_into_opt_outs(
    latest_schema_after,
):
    ana, ben, cris, long_ago = _old_rows(migrate_to(BEFORE))

    new = migrate_to(AFTER)
    Log = new.get_model("training", "NotificationLog")
    OptOut = new.get_model("training", "NotificationOptOut")
    assert set(Log.objects.values_list("user_id", "key", "kind")) == {
        (ana.pk, f"nudge:1:{ana.pk}:2026-W01", "nudge"),
        (ben.pk, f"released:3:{ben.pk}", "module_released"),
    }
    assert Log.objects.get(user_id=ana.pk).sent_at == long_ago
    assert set(OptOut.objects.values_list("user_id", "kind")) == {
        (ana.pk, "session_reminder_24h"), (ana.pk, "session_reminder_1h"), (ana.pk, "digest"),
        (cris.pk, "module_released"), (cris.pk, "nudge"),
    }  # fmt: skip
    # No message sent before the migration is sent again after it.
    person = User.objects.get(pk=ana.pk)
    assert send("nudge", [(person, f"nudge:1:{ana.pk}:2026-W01")], lambda user: {}) == 0
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_the_migration_goes_back_to_the_settings_and_the_log_as_they_were(latest_schema_after):
    ana, ben, cris, long_ago = _old_rows(migrate_to(BEFORE))
    migrate_to(AFTER)

    old = migrate_to(BEFORE)
    OldLog = old.get_model("cohorts", "NotificationLog")
    Settings = old.get_model("cohorts", "NotificationSettings")
    assert set(OldLog.objects.values_list("user_id", "kind")) == {
        (ana.pk, "nudge"),
        (ben.pk, "module_released"),
    }
    assert OldLog.objects.get(user_id=ana.pk).sent_at == long_ago
    fields = ("user_id", "session_reminders", "module_released", "nudges", "digest")
    assert set(Settings.objects.values_list(*fields)) == {
        (ana.pk, False, True, True, False),
        (cris.pk, True, False, False, True),
    }
    # Forward again: copied once, nothing twice.
    new = migrate_to(AFTER)
    assert new.get_model("training", "NotificationLog").objects.count() == 2
    assert new.get_model("training", "NotificationOptOut").objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_a_message_logged_by_an_old_worker_while_the_migration_runs_is_not_sent_again(
    latest_schema_after,
):
    """A worker still on the old code logs a message (its row written, the mail going out, not
    committed yet) while the move runs: its row reaches the new log (the migration holds writers
    off until it commits), so the next run does not send that message again."""
    if connection.vendor != "postgresql":
        pytest.skip("the lock is PostgreSQL's; SQLite's writers take turns already")
    old = migrate_to(BEFORE)
    ana = old.get_model("training", "User").objects.create(email="ana@example.org",
                                                          display_name="Ana")  # fmt: skip
    old.get_model("cohorts", "NotificationLog").objects.create(user_id=ana.pk, key="before",
                                                               kind="nudge")  # fmt: skip
    database = connection.settings_dict
    worker = psycopg.connect(dbname=database["NAME"], user=database["USER"],
                             host=database["HOST"], port=database["PORT"] or 5432)  # fmt: skip
    worker.execute(
        "INSERT INTO cohorts_notificationlog (key, kind, sent_at, user_id) "
        "VALUES ('during', 'nudge', now(), %s)",
        [ana.pk],
    )
    errors = []

    def migrate():
        try:
            migrate_to(AFTER)
        except Exception as error:  # said by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=migrate)
    thread.start()
    time.sleep(3)  # the migration waits for the worker's transaction
    worker.commit()
    worker.close()
    thread.join(120)
    assert not thread.is_alive()
    assert not errors, errors
    assert sorted(NotificationLog.objects.values_list("key", flat=True)) == ["before", "during"]
