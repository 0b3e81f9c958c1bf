"""The cohorts' export record (ExportLog) becomes part of the one audit log
(training.AuditEntry): each record is copied (who, when, what, cohort, how many), then the model
goes. The copies know how many people, not who: they carry detail["imported_from"]."""

from django.db import migrations

ACTIONS = {
    "cohort-progress": "cohort.progress_export",
    "csv-enrolment": "cohort.invitations_sent",
}


def copy_to_audit_log(apps, schema_editor):
    ExportLog = apps.get_model("cohorts", "ExportLog")
    AuditEntry = apps.get_model("training", "AuditEntry")
    batch = []
    for log in ExportLog.objects.select_related("cohort").order_by("pk").iterator(2000):
        detail = {"kind": log.kind, "cohort": log.cohort_id, "imported_from": "cohorts.ExportLog"}
        if log.cohort_id:
            detail["cohort_title"] = log.cohort.title
        batch.append(AuditEntry(
            at=log.created_at, actor_id=log.user_id,
            action=ACTIONS.get(log.kind, "cohort.progress_export"), count=log.rows,
            detail=detail,
        ))  # fmt: skip
        if len(batch) >= 2000:
            AuditEntry.objects.bulk_create(batch)
            batch = []
    AuditEntry.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("cohorts", "0006_calendar_feed_last_used"),
        ("training", "0007_audit_log"),
    ]

    # Going back recreates the table empty: the audit log keeps the copies (append-only).
    operations = [
        migrations.RunPython(copy_to_audit_log, migrations.RunPython.noop),
        migrations.DeleteModel(name="ExportLog"),
    ]
