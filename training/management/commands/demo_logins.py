from django.conf import settings
from django.core.management.base import BaseCommand

from training.demo import DEMO_PASSWORD, DEMO_PEOPLE


class Command(BaseCommand):
    help = "Print the demo logins created by seed_demo."

    def add_arguments(self, parser):
        parser.add_argument(
            "--address",
            help="HOST:PORT that runserver is given (`make run` passes its HOST and PORT).",
        )

    def handle(self, *args, **options):
        self.stdout.write("")
        # The address runserver really serves, not a default nor a setting that may say otherwise.
        origin = settings.ACOMPANA_PLATFORM_ORIGIN.rstrip("/")
        serving = f"http://{options['address']}" if options["address"] else origin
        self.stdout.write(self.style.SUCCESS(f"Acompaña is starting on {serving}"))
        if serving != origin:
            self.stdout.write(
                self.style.WARNING(
                    f"Links in emails and the H5P frames use ACOMPANA_PLATFORM_ORIGIN={origin} "
                    "(set in your environment): unset it to follow HOST and PORT."
                )
            )
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for person in DEMO_PEOPLE:
            roles = ", ".join(str(role) for role in person["roles"]) or "volunteer"
            self.stdout.write(f"  {person['email']:<26} {roles}")
        self.stdout.write(
            "Trainer, coordinator and admin are asked to set up two-factor authentication "
            "(an authenticator app) at their first sign-in.\n"
        )
