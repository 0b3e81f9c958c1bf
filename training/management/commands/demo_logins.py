from django.conf import settings
from django.core.management.base import BaseCommand

from training.demo import DEMO_PASSWORD, DEMO_PEOPLE


class Command(BaseCommand):
    help = "Print the demo logins created by seed_demo."

    def handle(self, *args, **options):
        self.stdout.write("")
        # `make run` exports the origin it serves (HOST and PORT): say that one, not a default.
        origin = settings.ACOMPANA_PLATFORM_ORIGIN
        self.stdout.write(self.style.SUCCESS(f"Acompaña is starting on {origin}"))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for person in DEMO_PEOPLE:
            roles = ", ".join(str(role) for role in person["roles"]) or "volunteer"
            self.stdout.write(f"  {person['email']:<26} {roles}")
        self.stdout.write(
            "Trainer, coordinator and admin are asked to set up two-factor authentication "
            "(an authenticator app) at their first sign-in.\n"
        )
