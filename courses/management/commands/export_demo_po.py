"""Write the demo's translations out of wagtail-localize as PO files in `courses/demo_data/`.

What `makemessages` is to the interface's words: after the English demo text changes, run
`seed_demo` and then this command; every demo page's PO file then has the new English strings
(untranslated, with an empty msgstr, for a translator) and keeps the translations of the strings
that did not change. A translator's work in the admin's translation editor comes out the same way.
"""

from django.core.management.base import BaseCommand
from wagtail.models import Locale

from courses import demo_i18n


class Command(BaseCommand):
    help = "Write the demo pages' translations to courses/demo_data/ as PO files."

    def add_arguments(self, parser):
        parser.add_argument(
            "languages", nargs="*", help="content language codes (default: every translated one)"
        )

    def handle(self, *args, languages, **options):
        codes = languages or list(
            Locale.objects.exclude(pk=Locale.get_default().pk).values_list(
                "language_code", flat=True
            )
        )
        for code in codes:
            for path in demo_i18n.export_po(code):
                self.stdout.write(f"Wrote {path}")
