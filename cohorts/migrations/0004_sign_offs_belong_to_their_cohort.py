"""Each existing sign-off gets the cohort it was made in: the skill's own cohort, or, for a
course's skill, the cohort of that course the person belongs (or belonged) to whose trainers
include the signer (else the only such cohort). A sign-off that fits no single cohort keeps none:
it still counts for certification, and no cohort's trainers see it."""

from django.db import migrations


def forwards(apps, schema_editor):
    SkillSignOff = apps.get_model("cohorts", "SkillSignOff")
    Membership = apps.get_model("cohorts", "Membership")
    Cohort = apps.get_model("cohorts", "Cohort")
    for sign_off in SkillSignOff.objects.filter(cohort__isnull=True).select_related("skill"):
        skill = sign_off.skill
        if skill.cohort_id:
            sign_off.cohort_id = skill.cohort_id
        else:
            candidates = Cohort.objects.filter(
                pk__in=Membership.objects.filter(user_id=sign_off.user_id).values("cohort_id"),
                courses=skill.course_id,
            ).distinct()
            signer = (
                candidates.filter(trainers=sign_off.signed_by_id) if sign_off.signed_by_id else None
            )
            chosen = list(signer.values_list("pk", flat=True)[:2]) if signer is not None else []
            if len(chosen) != 1:
                chosen = list(candidates.values_list("pk", flat=True)[:2])
            if len(chosen) != 1:
                continue
            sign_off.cohort_id = chosen[0]
        sign_off.save(update_fields=["cohort"])


class Migration(migrations.Migration):
    dependencies = [
        ("cohorts", "0003_cohort_invitations_and_sign_offs_per_cohort"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
