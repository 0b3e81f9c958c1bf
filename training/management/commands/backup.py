"""`manage.py backup <folder>`: the database (pg_dump) and every stored file, with a manifest.

See training/backup.py for what a backup holds and why it is consistent; README, "Backups and
restore", for where to keep it.
"""

from django.core.management.base import BaseCommand, CommandError

from training.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump, one consistent snapshot) and then every file of the "
        "media, private and H5P storages into a new folder, with a manifest of checksums."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="A new (or empty) folder to write the backup into.")

    def handle(self, *args, directory, **options):
        try:
            manifest = backup(directory, log=self.stdout.write)
        except BackupError as error:
            raise CommandError(str(error)) from error
        count = len(manifest["files"])
        size = sum(entry["size"] for entry in manifest["files"]) + manifest["database"]["size"]
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {directory}: database and {count} files ({size} bytes)."
            )
        )
