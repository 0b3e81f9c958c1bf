"""Demo data for `make run`: one login per role and the home page. Running it twice changes nothing.

Later apps add their demo data by providing `<app>/demo.py` with a `seed(stdout)` function;
this command calls them in INSTALLED_APPS order (each app after the ones it builds on), without
naming them: training imports no later app (tests/test_layers.py).
"""

import importlib
import importlib.util

from allauth.account.models import EmailAddress
from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from training.demo import DEMO_PASSWORD, DEMO_PEOPLE, seed_home_page
from training.models import User
from training.services import user_create, user_set_roles


class Command(BaseCommand):
    help = "Create the demo accounts (one per role) and demo content. Idempotent."

    @transaction.atomic
    def handle(self, *args, **options):
        for person in DEMO_PEOPLE:
            user = User.objects.filter(email=person["email"]).first()
            if user is None:
                user = user_create(
                    email=person["email"],
                    display_name=person["display_name"],
                    password=DEMO_PASSWORD,
                    roles=person["roles"],
                    time_zone=person["time_zone"],
                    preferred_language=person["language"],
                    email_verified=True,
                )
                self.stdout.write(f"Created {person['email']}")
            else:
                user_set_roles(user=user, roles=person["roles"])
                EmailAddress.objects.filter(user=user, email=user.email).update(verified=True)
        seed_home_page()
        for config in apps.get_app_configs():
            if config.name == "training" or importlib.util.find_spec(f"{config.name}.demo") is None:
                continue
            importlib.import_module(f"{config.name}.demo").seed(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data is in place."))
