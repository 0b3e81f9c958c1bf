from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0011_account_deletion"),
    ]

    operations = [
        migrations.AddField(
            model_name="accountdeletion",
            name="left",
            field=models.JSONField(blank=True, default=dict, verbose_name="left at once"),
        ),
    ]
