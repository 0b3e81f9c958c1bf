"""The check-ins given before batches (0002) are frozen into batches as the trainers' totals
counted them then: in each group, the first answer of each person, oldest first, five people at
a time (care.services.checkin_batches_form). The totals a trainer sees do not move."""

from django.db import migrations

CARE_MIN_GROUP = 5


def batch_existing(apps, schema_editor):
    CheckIn = apps.get_model("care", "CheckIn")
    CheckInBatch = apps.get_model("care", "CheckInBatch")
    groups: dict = {}
    rows = (
        CheckIn.objects.filter(cohort__isnull=False, batch__isnull=True)
        .order_by("created_at", "pk").values_list("pk", "user_id", "cohort_id", "module_id")
    )  # fmt: skip
    for pk, user_id, cohort_id, module_id in rows:
        groups.setdefault((cohort_id, module_id), {}).setdefault(user_id, pk)
    for (cohort_id, module_id), first in groups.items():
        answers = list(first.values())
        for start in range(0, len(answers) - CARE_MIN_GROUP + 1, CARE_MIN_GROUP):
            batch = CheckInBatch.objects.create(cohort_id=cohort_id, module_id=module_id)
            CheckIn.objects.filter(pk__in=answers[start : start + CARE_MIN_GROUP]).update(
                batch=batch
            )


class Migration(migrations.Migration):
    dependencies = [
        ("care", "0002_checkin_batches"),
    ]

    operations = [
        # Backwards: the batches go with 0002's table.
        migrations.RunPython(batch_existing, migrations.RunPython.noop, elidable=True),
    ]
