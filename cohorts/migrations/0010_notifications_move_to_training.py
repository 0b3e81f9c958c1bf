# The record of messages sent and the message settings move to the platform
# (training/notifications.py): every NotificationLog row is copied as it was (its key, kind and
# date: no message already sent is sent again), and each setting turned off becomes one opt-out
# row per kind it covered. Then cohorts' two models go. Reversible: the rows come back.
from django.db import migrations

# The kinds each old boolean turned off (as they were when this migration was written).
COVERED = {
    "session_reminders": ("session_reminder_24h", "session_reminder_1h"),
    "module_released": ("module_released",),
    "nudges": ("nudge",),
    "digest": ("digest",),
}
COLUMNS = ("key", "kind", "sent_at", "user_id")


def _copy_logs(schema_editor, source, target) -> None:
    """Copy every log row not already in `target` (a key is sent once, wherever it is kept)."""
    quote = schema_editor.connection.ops.quote_name
    columns = ", ".join(quote(c) for c in COLUMNS)
    src, dst, key = quote(source._meta.db_table), quote(target._meta.db_table), quote("key")
    # Names only (the models' tables and columns, quoted); no value is put into the text.
    sql = (
        f"INSERT INTO {dst} ({columns}) SELECT {columns} FROM {src} AS s "  # noqa: S608
        f"WHERE NOT EXISTS (SELECT 1 FROM {dst} AS t WHERE t.{key} = s.{key}) "
        f"ORDER BY s.{quote('id')}"
    )
    schema_editor.execute(sql)


def _hold_writers(schema_editor, *tables) -> None:
    """On PostgreSQL, until this migration commits (its copy and the drop of the old tables are
    one transaction), nobody writes to the old tables: a message logged by a worker still on the
    old code while the copy runs is copied (it committed first) or waits and fails before its
    mail goes out (the log row is written first), instead of being dropped uncopied and sent
    again. Reads go on. SQLite's writers take turns already."""
    if schema_editor.connection.vendor == "postgresql":
        names = ", ".join(schema_editor.connection.ops.quote_name(t) for t in tables)
        schema_editor.execute(f"LOCK TABLE {names} IN EXCLUSIVE MODE")


def forwards(apps, schema_editor):
    _hold_writers(schema_editor, "cohorts_notificationlog", "cohorts_notificationsettings")
    OldLog = apps.get_model("cohorts", "NotificationLog")
    Settings = apps.get_model("cohorts", "NotificationSettings")
    NewLog = apps.get_model("training", "NotificationLog")
    OptOut = apps.get_model("training", "NotificationOptOut")
    _copy_logs(schema_editor, OldLog, NewLog)
    rows = []
    for setting in Settings.objects.order_by("pk").iterator():
        for field, kinds in COVERED.items():
            if not getattr(setting, field):
                rows.extend(OptOut(user_id=setting.user_id, kind=kind) for kind in kinds)
    OptOut.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)


def backwards(apps, schema_editor):
    OldLog = apps.get_model("cohorts", "NotificationLog")
    Settings = apps.get_model("cohorts", "NotificationSettings")
    NewLog = apps.get_model("training", "NotificationLog")
    OptOut = apps.get_model("training", "NotificationOptOut")
    _copy_logs(schema_editor, NewLog, OldLog)
    off: dict[int, set[str]] = {}
    for user_id, kind in OptOut.objects.values_list("user_id", "kind").iterator():
        off.setdefault(user_id, set()).add(kind)
    Settings.objects.bulk_create(
        [
            Settings(user_id=user_id, **{field: not (set(kinds) & chosen)
                                         for field, kinds in COVERED.items()})
            for user_id, chosen in off.items()
            if chosen & {kind for kinds in COVERED.values() for kind in kinds}
        ],
        batch_size=1000,
    )  # fmt: skip
    # Training keeps no copy: going forward again copies them back once.
    NewLog.objects.all().delete()
    OptOut.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cohorts", "0009_requirement_skills_move_to_their_track"),
        ("training", "0013_notification_log_and_opt_outs"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.DeleteModel(name="NotificationLog"),
        migrations.DeleteModel(name="NotificationSettings"),
    ]
