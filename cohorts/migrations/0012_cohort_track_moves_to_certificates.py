# Cohort.track and a track's skills' link are certificates' now (certificates.CohortTrack and
# certificates.TrackSkill, filled by certificates' 0009, which runs before this one).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("cohorts", "0011_track_skills_move_to_certificates"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="cohort",
            name="track",
        ),
        migrations.RemoveField(
            model_name="skill",
            name="track_before_certificates",
        ),
    ]
