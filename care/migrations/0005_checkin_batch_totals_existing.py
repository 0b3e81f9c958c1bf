"""Each check-in's group as a number, and each live batch's totals frozen from its answers (0004):
a batch that no longer has exactly five answers, or was dropped, is deleted (its answers left
may be counted again, in a new batch of five). The totals a trainer sees are then exactly the
batches kept."""

from django.db import migrations
from django.db.models import F, Value
from django.db.models.functions import Coalesce

CARE_MIN_GROUP = 5


def freeze_totals(apps, schema_editor):
    CheckIn = apps.get_model("care", "CheckIn")
    CheckInBatch = apps.get_model("care", "CheckInBatch")
    CheckIn.objects.update(module_key=Coalesce(F("module_id"), Value(0)))
    CheckInBatch.objects.filter(dropped_at__isnull=False).delete()
    answers: dict = {}
    for batch_id, carrying, energy, wants in CheckIn.objects.filter(
        batch__isnull=False
    ).values_list("batch_id", "carrying", "energy", "wants_debrief"):
        answers.setdefault(batch_id, []).append((carrying, energy, wants))
    for batch in CheckInBatch.objects.all():
        rows = answers.get(batch.pk, [])
        if len(rows) != CARE_MIN_GROUP:
            batch.delete()
            continue
        batch.module_key = batch.module_id or 0
        batch.answers = len(rows)
        batch.carrying_sum = sum(row[0] for row in rows)
        batch.energy_sum = sum(row[1] for row in rows)
        batch.debriefs = sum(1 for row in rows if row[2])
        batch.save(update_fields=["module_key", "answers", "carrying_sum", "energy_sum",
                                  "debriefs"])  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [
        ("care", "0004_checkin_batch_totals"),
    ]

    operations = [
        # Backwards: the totals go with 0004's columns.
        migrations.RunPython(freeze_totals, migrations.RunPython.noop, elidable=True),
    ]
