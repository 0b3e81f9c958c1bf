"""Pool consent per contact channel: one consent each for the email, the phone and the other
contact, and an email of the pool's own (shared only once its owner confirmed it).

The old consent was "my contact details (email and the numbers above)": whoever ticked it
shares their email (the sign-in email, as before: the new pool email starts empty) and the
phone and other contact they had filled in; nothing more (an empty number gets no consent
that would share whatever they type later). Backwards, a person shares their contact details
only if that is never more than they agreed to: their email is the sign-in email (no pool
email, which the old schema cannot keep apart), and every contact they filled in is shared.
"""

from django.db import migrations, models


def split_consent(apps, schema_editor):
    # One UPDATE: PostgreSQL queues a foreign-key check for each row updated again in the
    # same transaction, and then refuses to drop share_contact ("pending trigger events").
    PoolMember = apps.get_model("certificates", "PoolMember")

    def filled_in(field):
        return models.Case(
            models.When(**{field: ""}, then=models.Value(False)), default=models.Value(True)
        )

    PoolMember.objects.filter(share_contact=True).update(
        share_email=True,
        share_phone=filled_in("contact_phone"),
        share_other=filled_in("contact_other"),
    )


def join_consent(apps, schema_editor):
    PoolMember = apps.get_model("certificates", "PoolMember")
    PoolMember.objects.filter(
        models.Q(share_phone=True) | models.Q(contact_phone=""),
        models.Q(share_other=True) | models.Q(contact_other=""),
        share_email=True,
        contact_email="",
    ).update(share_contact=True)


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0006_requirement_names_a_track_skill"),
    ]

    operations = [
        migrations.AddField(
            model_name="poolmember",
            name="contact_email",
            field=models.EmailField(blank=True, max_length=254, verbose_name="email for the pool"),
        ),
        migrations.AddField(
            model_name="poolmember",
            name="contact_email_confirmed_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="poolmember",
            name="share_email",
            field=models.BooleanField(default=False, verbose_name="my email address"),
        ),
        migrations.AddField(
            model_name="poolmember",
            name="share_phone",
            field=models.BooleanField(default=False, verbose_name="my phone or messaging number"),
        ),
        migrations.AddField(
            model_name="poolmember",
            name="share_other",
            field=models.BooleanField(default=False, verbose_name="my other contact"),
        ),
        migrations.RunPython(split_consent, join_consent),
        migrations.RemoveField(
            model_name="poolmember",
            name="share_contact",
        ),
    ]
