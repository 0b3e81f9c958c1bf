"""A track's skill requirement names a skill of the track (issue 15): until now it named one
cohort's (or one course's) skill, which members of the track's other cohorts could never have
signed off.

- Each skill a requirement names that is not a skill of the requirement's track becomes one. A
  skill of a cohort preparing for that track moves to the track itself (with its sign-offs). Any
  other (a course's, a cohort's on another track or on none, another track's) stays where it is,
  for the cohorts that sign it off there: the requirement names a copy on the track instead (or
  the track's skill of that name, when it has one) and its sign-offs are copied to it.
- A cohort's own skill named like a skill of the track the cohort prepares for (case and outer
  spaces aside) is merged into the track's skill: its sign-offs move (each person keeps the latest
  per cohort), then it is deleted unless something still names it.

Reverse: nothing to undo while no track has skills. Once one has, going back is refused
(IrreversibleError): the migration before this one cannot hold a skill that belongs to neither a
cohort nor a course, and which cohort should get a track's skill back is nobody's guess.
"""

from django.db import migrations
from django.db.migrations.exceptions import IrreversibleError


def _same(name: str) -> str:
    return " ".join(name.split()).casefold()


def _carry_sign_offs(SkillSignOff, source, target, *, move: bool) -> None:
    """The sign-offs of `source` onto `target`: each person keeps their latest per cohort."""
    kept = {(s.user_id, s.cohort_id): s for s in SkillSignOff.objects.filter(skill=target)}
    for sign_off in SkillSignOff.objects.filter(skill=source).order_by("signed_at", "pk"):
        key = (sign_off.user_id, sign_off.cohort_id)
        there = kept.get(key)
        if there is not None:
            if sign_off.signed_at > there.signed_at:
                there.signed_by_id, there.notes = sign_off.signed_by_id, sign_off.notes
                there.signed_at = sign_off.signed_at
                there.save(update_fields=["signed_by", "notes", "signed_at"])
            if move:
                sign_off.delete()
            continue
        if move:
            sign_off.skill = target
            sign_off.save(update_fields=["skill"])
            kept[key] = sign_off
        else:
            kept[key] = SkillSignOff.objects.create(
                skill=target, user_id=sign_off.user_id, cohort_id=sign_off.cohort_id,
                signed_by_id=sign_off.signed_by_id, notes=sign_off.notes,
                signed_at=sign_off.signed_at,
            )  # fmt: skip


def forwards(apps, schema_editor):
    Requirement = apps.get_model("certificates", "Requirement")
    Cohort = apps.get_model("cohorts", "Cohort")
    Skill = apps.get_model("cohorts", "Skill")
    SkillSignOff = apps.get_model("cohorts", "SkillSignOff")

    def on_the_track(skill, track_id) -> bool:
        """A skill of a cohort preparing for the track: the track's own, from now on."""
        return (
            skill.cohort_id is not None
            and Cohort.objects.filter(pk=skill.cohort_id, track_id=track_id).exists()
        )

    def track_skills(track_id) -> dict:
        return {_same(s.name): s for s in Skill.objects.filter(track_id=track_id)}

    def next_order(track_id) -> int:
        return Skill.objects.filter(track_id=track_id).count()

    # 1. Every requirement names a skill of its own track.
    requirements = Requirement.objects.filter(skill__isnull=False).select_related("skill")
    for requirement in requirements.order_by("track_id", "sort_order", "pk"):
        skill = Skill.objects.get(pk=requirement.skill_id)  # fresh: an earlier step may move it
        if skill.track_id == requirement.track_id:
            continue
        target = track_skills(requirement.track_id).get(_same(skill.name))
        if target is None and on_the_track(skill, requirement.track_id):
            # The skill becomes the track's, with its sign-offs.
            skill.sort_order = next_order(requirement.track_id)
            skill.track_id, skill.cohort_id, skill.course_id = requirement.track_id, None, None
            skill.save(update_fields=["track", "cohort", "course", "sort_order"])
            continue
        if target is None:
            # A course's, another track's, or a cohort's not preparing for this track: it stays
            # theirs (with its sign-offs) and this track gets its own copy.
            target = Skill.objects.create(
                track_id=requirement.track_id, name=skill.name, description=skill.description,
                sort_order=next_order(requirement.track_id),
            )  # fmt: skip
        _carry_sign_offs(SkillSignOff, skill, target, move=False)
        Requirement.objects.filter(track_id=requirement.track_id, skill_id=skill.pk).update(
            skill_id=target.pk
        )

    # 2. Cohorts' own skills named like a skill of their track merge into it.
    for track_id in Skill.objects.filter(track__isnull=False).values_list("track_id", flat=True)\
            .distinct():  # fmt: skip
        by_name = track_skills(track_id)
        for skill in Skill.objects.filter(cohort__track_id=track_id).order_by("pk"):
            target = by_name.get(_same(skill.name))
            if target is None:
                continue
            _carry_sign_offs(SkillSignOff, skill, target, move=True)
            if not Requirement.objects.filter(skill_id=skill.pk).exists():
                skill.delete()


def backwards(apps, schema_editor):
    Skill = apps.get_model("cohorts", "Skill")
    count = Skill.objects.filter(track__isnull=False).count()
    if count:
        raise IrreversibleError(
            f"Certification tracks have {count} skill{'' if count == 1 else 's'}: "
            "cohorts 0008 and earlier have no place for them (a skill there belongs to a cohort "
            "or a course). Delete the tracks' skills (and the requirements naming them) in the "
            "track editor, or restore a backup taken before this migration, then migrate back."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("cohorts", "0008_track_skills_series_announcements"),
        ("certificates", "0006_requirement_names_a_track_skill"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
