"""Content editors upload H5P activities; reviewing libraries stays with administrators."""

from django.db import migrations


def grant(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    ContentType = apps.get_model("contenttypes.ContentType")
    activity_type, _ = ContentType.objects.get_or_create(app_label="courses", model="h5pactivity")
    editors, _ = Group.objects.get_or_create(name="Editors")
    for action in ("add", "change", "view"):
        permission, _ = Permission.objects.get_or_create(
            content_type=activity_type,
            codename=f"{action}_h5pactivity",
            defaults={"name": f"Can {action} H5P activity"},
        )
        editors.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0001_initial"),
        ("training", "0005_role_groups"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
