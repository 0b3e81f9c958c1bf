"""A batch keeps its totals (how many answers, the sums of carrying and energy, how many wanted a
debrief) and each check-in and batch its group as a number (`module_key`: the heavy module's pk, 0
for none), which deleting the module page leaves as it is. Columns added with database defaults
(the previous release's processes insert rows without them); `dropped_at` stays, unused (README,
"Upgrading"). 0005 fills the new columns."""

import django.db.models.expressions
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("care", "0003_checkin_batches_existing"),
    ]

    operations = [
        # Its condition was dropped_at, which no longer says anything.
        migrations.RemoveIndex(
            model_name="checkinbatch",
            name="care_batch_live",
        ),
        migrations.AddField(
            model_name="checkin",
            name="module_key",
            field=models.PositiveIntegerField(db_default=0, default=0),
        ),
        migrations.AddField(
            model_name="checkinbatch",
            name="answers",
            field=models.PositiveSmallIntegerField(db_default=0, default=0),
        ),
        migrations.AddField(
            model_name="checkinbatch",
            name="carrying_sum",
            field=models.PositiveSmallIntegerField(db_default=0, default=0),
        ),
        migrations.AddField(
            model_name="checkinbatch",
            name="debriefs",
            field=models.PositiveSmallIntegerField(db_default=0, default=0),
        ),
        migrations.AddField(
            model_name="checkinbatch",
            name="energy_sum",
            field=models.PositiveSmallIntegerField(db_default=0, default=0),
        ),
        migrations.AddField(
            model_name="checkinbatch",
            name="module_key",
            field=models.PositiveIntegerField(db_default=0, default=0),
        ),
        migrations.AddConstraint(
            model_name="checkinbatch",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("carrying_sum__gte", models.F("answers")),
                    (
                        "carrying_sum__lte",
                        django.db.models.expressions.CombinedExpression(
                            models.F("answers"), "*", models.Value(5)
                        ),
                    ),
                    ("debriefs__lte", models.F("answers")),
                    ("energy_sum__gte", models.F("answers")),
                    (
                        "energy_sum__lte",
                        django.db.models.expressions.CombinedExpression(
                            models.F("answers"), "*", models.Value(5)
                        ),
                    ),
                ),
                name="care_batch_totals",
            ),
        ),
    ]
