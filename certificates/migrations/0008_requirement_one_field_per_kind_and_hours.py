"""Requirement kinds (issue 19): each kind's one field is set and every other one empty, held by
a CheckConstraint per kind; and a new kind, hours of courses completed ("continuing education",
its field `min_hours`, more than 0).

Until now only the track editor's validation held a requirement to its field. Rows made another
way are put right before the constraints are added:
- a field another kind needs, set on a requirement (say a share of live sessions on a course
  requirement), is emptied: nothing ever read it (each kind reads its own field only);
- a share of live sessions missing on an attendance requirement becomes 100 %, the strictest
  share: the row stays (with the exceptions coordinators granted on it, and their reasons), and
  it is met only by attending every session, never more loosely than before;
- a course, skill or agreement requirement without its course, skill or agreement stops the
  migration with the rows' ids: nothing sensible can be chosen for it, and deleting it would
  delete the exceptions granted on it and loosen the track. Put it right in the track editor
  (choose the missing course, skill or agreement, or remove the requirement), then migrate again.

Reverse: the constraints and the field go; what was emptied or set stays so.
"""

from django.db import migrations, models

FIELDS = {
    "course": "course",
    "skill": "skill",
    "agreement": "agreement",
    "attendance": "min_attendance",
}


def one_field_per_kind(apps, schema_editor):
    Requirement = apps.get_model("certificates", "Requirement")
    missing = sorted(
        Requirement.objects.filter(
            models.Q(kind="course", course__isnull=True)
            | models.Q(kind="skill", skill__isnull=True)
            | models.Q(kind="agreement", agreement__isnull=True)
        ).values_list("pk", flat=True)
    )
    if missing:
        raise RuntimeError(
            "certificates 0008: these requirements have no course, skill or agreement although "
            f"their kind needs one: {missing}. Choose it in the track editor (or remove the "
            "requirement), then run the migration again. Nothing was changed."
        )
    changed = (
        Requirement.objects.filter(kind="attendance", min_attendance__isnull=True).update(
            min_attendance=100
        )
        > 0
    )
    for kind, needed in FIELDS.items():
        rows = Requirement.objects.filter(kind=kind)
        for field in FIELDS.values():
            if field != needed:
                changed |= rows.filter(**{f"{field}__isnull": False}).update(**{field: None}) > 0
    if changed and schema_editor.connection.vendor == "postgresql":
        # The rows' foreign keys are checked at commit (deferred): checked now, or PostgreSQL
        # refuses to alter the table they changed ("pending trigger events").
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    # Only this app's table: a test migrating cohorts or courses back and forth leaves it applied.
    dependencies = [("certificates", "0007_pool_consent_per_contact")]

    operations = [
        migrations.AddField(
            model_name="requirement",
            name="min_hours",
            field=models.DecimalField(
                blank=True,
                decimal_places=1,
                help_text="Hours of any courses completed on this path (on the renewal path, "
                "since it opened), as each course estimates them.",
                max_digits=5,
                null=True,
                verbose_name="minimum hours of courses",
            ),
        ),
        migrations.AlterField(
            model_name="requirement",
            name="kind",
            field=models.CharField(
                choices=[
                    ("course", "Course completed"),
                    ("attendance", "Live sessions attended"),
                    ("skill", "Skill signed off by a trainer"),
                    ("agreement", "Agreement signed"),
                    ("continuing_education", "Hours of courses completed"),
                ],
                max_length=20,
                verbose_name="requirement",
            ),
        ),
        migrations.RunPython(one_field_per_kind, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="requirement",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("kind", "course"), _negated=True),
                    models.Q(
                        ("agreement__isnull", True),
                        ("course__isnull", False),
                        ("min_attendance__isnull", True),
                        ("min_hours__isnull", True),
                        ("skill__isnull", True),
                    ),
                    _connector="OR",
                ),
                name="requirement_course_needs_course",
            ),
        ),
        migrations.AddConstraint(
            model_name="requirement",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("kind", "skill"), _negated=True),
                    models.Q(
                        ("agreement__isnull", True),
                        ("course__isnull", True),
                        ("min_attendance__isnull", True),
                        ("min_hours__isnull", True),
                        ("skill__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="requirement_skill_needs_skill",
            ),
        ),
        migrations.AddConstraint(
            model_name="requirement",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("kind", "agreement"), _negated=True),
                    models.Q(
                        ("agreement__isnull", False),
                        ("course__isnull", True),
                        ("min_attendance__isnull", True),
                        ("min_hours__isnull", True),
                        ("skill__isnull", True),
                    ),
                    _connector="OR",
                ),
                name="requirement_agreement_needs_agreement",
            ),
        ),
        migrations.AddConstraint(
            model_name="requirement",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("kind", "attendance"), _negated=True),
                    models.Q(
                        ("agreement__isnull", True),
                        ("course__isnull", True),
                        ("min_attendance__isnull", False),
                        ("min_hours__isnull", True),
                        ("skill__isnull", True),
                    ),
                    _connector="OR",
                ),
                name="requirement_attendance_needs_min_attendance",
            ),
        ),
        migrations.AddConstraint(
            model_name="requirement",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("kind", "continuing_education"), _negated=True),
                    models.Q(
                        ("agreement__isnull", True),
                        ("course__isnull", True),
                        ("min_attendance__isnull", True),
                        ("min_hours__isnull", False),
                        ("skill__isnull", True),
                    ),
                    _connector="OR",
                ),
                name="requirement_continuing_education_needs_min_hours",
            ),
        ),
        migrations.AddConstraint(
            model_name="requirement",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("min_hours__isnull", True), ("min_hours__gt", 0), _connector="OR"
                ),
                name="requirement_min_hours_positive",
            ),
        ),
    ]
