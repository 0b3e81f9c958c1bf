"""The pool's access record (PoolAccess) becomes part of the one audit log (training.AuditEntry):
each record is copied (who, when, what, filters, token, how many people), then the model goes.
The copies know how many people, not who: they carry detail["imported_from"] and no subjects."""

from django.db import migrations

ACTIONS = {
    "viewed": "pool.viewed",
    "csv": "pool.export_csv",
    "json": "pool.export_json",
    "xlsx": "pool.export_xlsx",
    "api": "pool.api",
}


def copy_to_audit_log(apps, schema_editor):
    PoolAccess = apps.get_model("certificates", "PoolAccess")
    AuditEntry = apps.get_model("training", "AuditEntry")
    batch = []
    for access in PoolAccess.objects.select_related("token").order_by("pk").iterator(2000):
        detail = {"filters": access.filters or {}, "imported_from": "certificates.PoolAccess"}
        if access.token_id:
            detail["token"] = {"id": access.token_id, "prefix": access.token.prefix}
        batch.append(AuditEntry(
            at=access.created_at, actor_id=access.user_id,
            action=ACTIONS.get(access.kind, "pool.viewed"), count=access.rows, detail=detail,
        ))  # fmt: skip
        if len(batch) >= 2000:
            AuditEntry.objects.bulk_create(batch)
            batch = []
    AuditEntry.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0004_render_claim_pool_views_pdf_downloads"),
        ("training", "0007_audit_log"),
    ]

    # Going back recreates the table empty: the audit log keeps the copies (append-only).
    operations = [
        migrations.RunPython(copy_to_audit_log, migrations.RunPython.noop),
        migrations.DeleteModel(name="PoolAccess"),
    ]
