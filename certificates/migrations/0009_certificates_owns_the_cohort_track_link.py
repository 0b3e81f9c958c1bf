"""Certificates owns the cohort-track link (issue 19: cohorts never names certificates).

Every cohort's track becomes a CohortTrack row, and every track's skill gets a TrackSkill row (a
cohorts.Skill child: the skill, its id, its name and its sign-offs stay as they are); a skill
requirement offers the skills with a TrackSkill row. Runs between cohorts' 0011 (the old link
renamed out of the way) and 0012 (the old columns removed). Reversible: the links are copied back.
"""

import django.db.models.deletion
import modelcluster.fields
from django.db import migrations, models


def copy_links(apps, schema_editor):
    # On PostgreSQL nobody changes a cohort's track or a skill while the links are copied (reads
    # go on). Processes still on the old code must be stopped before `migrate` (README,
    # "Upgrading"): cohorts 0012 then drops the old columns in a transaction of its own.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('LOCK TABLE "cohorts_cohort", "cohorts_skill" IN EXCLUSIVE MODE')
    Cohort = apps.get_model("cohorts", "Cohort")
    Skill = apps.get_model("cohorts", "Skill")
    CohortTrack = apps.get_model("certificates", "CohortTrack")
    TrackSkill = apps.get_model("certificates", "TrackSkill")
    CohortTrack.objects.bulk_create(
        CohortTrack(cohort_id=cohort_id, track_id=track_id)
        for cohort_id, track_id in Cohort.objects.filter(track__isnull=False)
        .values_list("pk", "track_id")
        .order_by("pk")
    )
    for skill_id, track_id in (
        Skill.objects.filter(track_before_certificates__isnull=False)
        .values_list("pk", "track_before_certificates_id")
        .order_by("pk")
    ):
        # Only the child's row: the skill's own row is there already (raw: parents not saved).
        TrackSkill(skill_id=skill_id, track_id=track_id).save_base(raw=True)


def copy_links_back(apps, schema_editor):
    Cohort = apps.get_model("cohorts", "Cohort")
    Skill = apps.get_model("cohorts", "Skill")
    CohortTrack = apps.get_model("certificates", "CohortTrack")
    TrackSkill = apps.get_model("certificates", "TrackSkill")
    for cohort_id, track_id in CohortTrack.objects.values_list("cohort_id", "track_id"):
        Cohort.objects.filter(pk=cohort_id).update(track_id=track_id)
    for skill_id, track_id in TrackSkill.objects.values_list("skill_id", "track_id"):
        Skill.objects.filter(pk=skill_id).update(track_before_certificates_id=track_id)


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0008_requirement_one_field_per_kind_and_hours"),
        ("cohorts", "0011_track_skills_move_to_certificates"),
    ]
    # The old columns go once copied (cohorts never names certificates: said from here).
    run_before = [("cohorts", "0012_cohort_track_moves_to_certificates")]

    operations = [
        migrations.CreateModel(
            name="CohortTrack",
            fields=[
                (
                    "cohort",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="track_link",
                        serialize=False,
                        to="cohorts.cohort",
                    ),
                ),
                (
                    "track",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="cohort_links",
                        to="certificates.track",
                        verbose_name="certification track",
                    ),
                ),
            ],
            options={
                "verbose_name": "certification track",
            },
        ),
        migrations.CreateModel(
            name="TrackSkill",
            fields=[
                (
                    "skill",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        parent_link=True,
                        primary_key=True,
                        related_name="track_skill",
                        serialize=False,
                        to="cohorts.skill",
                    ),
                ),
                (
                    "track",
                    modelcluster.fields.ParentalKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="skills",
                        to="certificates.track",
                    ),
                ),
            ],
            options={
                "verbose_name": "skill",
                "ordering": ["sort_order", "pk"],
            },
            bases=("cohorts.skill",),
        ),
        migrations.RunPython(copy_links, copy_links_back, elidable=False),
        migrations.AlterField(
            model_name="requirement",
            name="skill",
            field=models.ForeignKey(
                blank=True,
                help_text="One of this track's skills (listed above; save the track first to choose a new one). Every cohort preparing for the track can sign it off.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                limit_choices_to={"track_skill__isnull": False},
                to="cohorts.skill",
                verbose_name="skill",
            ),
        ),
    ]
