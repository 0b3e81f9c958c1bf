"""Coordinators create and edit certification tracks and agreements in the Wagtail admin
(Certification menu), and nothing else there unless given more. They do not delete them: a track
is retired by closing it to new people, and what people signed stays on record."""

from django.db import migrations

MODELS = ["track", "agreement"]
ACTIONS = ["add", "change", "view"]


def grant(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    ContentType = apps.get_model("contenttypes.ContentType")
    group, _ = Group.objects.get_or_create(name="Coordinators")
    admin_type, _ = ContentType.objects.get_or_create(app_label="wagtailadmin", model="admin")
    access, _ = Permission.objects.get_or_create(
        content_type=admin_type, codename="access_admin",
        defaults={"name": "Can access Wagtail admin"},
    )  # fmt: skip
    permissions = [access]
    for model in MODELS:
        content_type, _ = ContentType.objects.get_or_create(app_label="certificates", model=model)
        for action in ACTIONS:
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type, codename=f"{action}_{model}",
                defaults={"name": f"Can {action} {model}"},
            )  # fmt: skip
            permissions.append(permission)
    group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0001_initial"),
        ("training", "0005_role_groups"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
