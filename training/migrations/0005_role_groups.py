"""The groups that carry the trainer, coordinator and editor roles exist from the start, so that
administrators can assign roles in the Wagtail admin on a fresh installation."""

from django.db import migrations

ROLE_GROUPS = ["Trainers", "Coordinators", "Editors"]


def create_role_groups(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    ContentType = apps.get_model("contenttypes.ContentType")
    for name in ROLE_GROUPS:
        Group.objects.get_or_create(name=name)
    # Editors write content in the Wagtail admin.
    admin_type, _ = ContentType.objects.get_or_create(app_label="wagtailadmin", model="admin")
    access, _ = Permission.objects.get_or_create(
        content_type=admin_type,
        codename="access_admin",
        defaults={"name": "Can access Wagtail admin"},
    )
    Group.objects.get(name="Editors").permissions.add(access)


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0004_standardpage_user_low_bandwidth"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_role_groups, migrations.RunPython.noop)]
