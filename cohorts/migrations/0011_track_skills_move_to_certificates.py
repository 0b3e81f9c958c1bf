# The cohort-track link moves to certificates (issue 19: cohorts never names certificates). A
# skill is now a cohort's, a course's, or shared (neither): certificates.TrackSkill says which
# track a shared skill belongs to. Skill.track is renamed out of the way (a model inheriting Skill
# cannot have a field of the same name) for certificates' 0009 to copy it, and removed with
# Cohort.track by 0012, once copied. Reversible: certificates' 0009 copies the links back.
import django.db.models.deletion
import modelcluster.fields
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cohorts", "0010_notifications_move_to_training"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="skill",
            name="skill_for_a_cohort_a_course_or_a_track",
        ),
        migrations.RenameField(
            model_name="skill",
            old_name="track",
            new_name="track_before_certificates",
        ),
        migrations.AlterField(
            model_name="skill",
            name="track_before_certificates",
            field=modelcluster.fields.ParentalKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="certificates.track",
            ),
        ),
        migrations.AddConstraint(
            model_name="skill",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("cohort__isnull", False), ("course__isnull", False), _negated=True
                ),
                name="skill_for_a_cohort_a_course_or_shared",
            ),
        ),
    ]
