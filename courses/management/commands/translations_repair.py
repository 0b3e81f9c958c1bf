"""Move translations back to their original's address: `manage.py translations_repair`.

Pages deleted before their translations were deleted with them left copies in the other
locales; the next translation of a page at that address landed at "…-1". This gives every copy
its original's slug, deleting only *leftover copies* in the way (made as copies, their original
gone; each deletion recorded in the audit log). A page written directly in its language is never
deleted: the copy stays where it is and is reported. `migrate` runs the same repair.
`--dry-run` lists what it would do and changes nothing.
"""

from django.core.management.base import BaseCommand

from courses.translation_pages import translations_repair


class Command(BaseCommand):
    help = (
        "Give every translated page its original's slug (deleting leftover copies in the way, "
        "recorded in the audit log). --dry-run lists what it would do."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true",
            help="List what would be moved, deleted or left, and change nothing.",
        )  # fmt: skip

    def handle(self, *args, dry_run=False, **options):
        done = translations_repair(dry_run=dry_run)
        if dry_run:
            self.stdout.write("Dry run: nothing was changed. It would do this:")
        for line in done["lines"]:
            self.stdout.write(f"  {line}")
        self.stdout.write(f"Moved back to their original's address: {done['moved']}")
        self.stdout.write(f"Deleted (leftover copies in the way): {done['deleted']}")
        if done["left"]:
            self.stdout.write(
                self.style.WARNING(
                    f"Left (another page holds the address, and it is not a leftover copy): "
                    f"{done['left']}"
                )
            )
