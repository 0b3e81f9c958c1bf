"""`manage.py restore <folder>`: a backup (`manage.py backup`) into an empty installation.

Checks the backup's checksums first, refuses a database with tables or storages with files
(unless --force), restores the database with pg_restore (one transaction), uploads every file
into the configured storages (local folders or the S3 bucket) and checks each one's checksum
once stored. When it stops half way it says what was restored.
"""

from django.core.management.base import BaseCommand, CommandError

from training.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into this installation's database and "
        "storages, which must be empty (unless --force)."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="The backup's folder (with its manifest.json).")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Restore even when the database has tables or the storages hold files: "
            "the backup's tables and files replace theirs.",
        )

    def handle(self, *args, directory, force, **options):
        try:
            progress = restore(directory, force=force, log=self.stdout.write)
        except BackupError as error:
            raise CommandError(str(error)) from error
        total = sum(progress.files.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored from {directory}: the database and {total} files, "
                "each checked against the backup's checksum."
            )
        )
        self.stdout.write(
            "If this code has migrations the backup did not, run `manage.py migrate` now."
        )
