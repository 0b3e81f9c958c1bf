"""Bring in many H5P packages at once: `manage.py import_h5p PATH [PATH…]`.

For each file, prints the new activity or every reason it was refused; exits non-zero if any
file was refused. Unpacking runs here, synchronously, so the report is final.
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from courses.h5p.services import h5p_activity_create
from courses.h5p.store import activity_extract, stored_library
from courses.h5p.validator import validate
from courses.models import H5PActivity


class Command(BaseCommand):
    help = "Validate and import H5P packages; report every reason a package is refused."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--language", default="en", help="Language of the activities.")

    def handle(self, *args, paths, language, **options):
        refused = 0
        for path in paths:
            if not path.is_file():
                self.stdout.write(self.style.ERROR(f"✗ {path}: no such file"))
                refused += 1
                continue
            # A first look, to report before anything is stored: the store's copies checked
            # as extraction will; the virus scan is left to extraction (once per file).
            package = validate(path, store_library=stored_library, virus_scan=False)
            if not package.ok:
                refused += 1
                self.stdout.write(self.style.ERROR(f"✗ {path}: refused"))
                for reason in package.errors:
                    self.stdout.write(f"    - {reason}")
                continue
            title = str(package.h5p.get("title") or path.stem)[:255]
            try:
                with path.open("rb") as handle:
                    activity = h5p_activity_create(
                        package=File(handle, name=path.name), title=title, language=language,
                        in_background=False,
                    )  # fmt: skip
            except ValidationError as error:
                refused += 1
                self.stdout.write(self.style.ERROR(f"✗ {path}: refused"))
                for messages in error.message_dict.values():
                    for reason in messages:
                        self.stdout.write(f"    - {reason}")
                continue
            activity = activity_extract(activity_id=activity.pk)
            if activity.status == H5PActivity.Status.READY:
                pending = activity.libraries.filter(status="pending").count()
                self.stdout.write(self.style.SUCCESS(
                    f"✓ {path}: activity {activity.pk} “{activity.title}” "
                    f"({activity.main_library}, {activity.libraries.count()} libraries, "
                    f"{pending} waiting for review)"
                ))  # fmt: skip
            else:
                refused += 1
                self.stdout.write(self.style.ERROR(f"✗ {path}: refused"))
                for reason in activity.errors:
                    self.stdout.write(f"    - {reason}")
        if refused:
            raise CommandError(f"{refused} of {len(paths)} packages refused.")
