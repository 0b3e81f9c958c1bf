"""Move translations back to their original's address: `manage.py translations_repair`.

Pages deleted before their translations were deleted with them left copies in the other
locales; the next translation of a page at that address landed at "…-1". This gives every copy
its original's slug, deleting the stale copies in the way. `migrate` runs the same repair.
"""

from django.core.management.base import BaseCommand

from courses.translation_pages import translations_repair


class Command(BaseCommand):
    help = "Give every translated page its original's slug (deleting stale copies in the way)."

    def handle(self, *args, **options):
        done = translations_repair()
        self.stdout.write(f"Moved back to their original's address: {done['moved']}")
        if done["left"]:
            self.stdout.write(
                self.style.WARNING(f"Left (another page holds the address): {done['left']}")
            )
