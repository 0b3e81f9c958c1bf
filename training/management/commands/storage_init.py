"""Create the object storage's bucket when it is missing (ACOMPANA_STORAGE=s3); safe to repeat.

docker-compose.yml's migrate service runs it before `migrate`. With local folders it does nothing:
each folder is made when the first file is saved into it.

An installation that kept its files in local folders and is switched to object storage would
find an empty bucket: every document, certificate and H5P package would answer "not found", and
new files would land beside none of the old ones. So when the bucket holds nothing and the local
folders hold files, this stops (before `migrate`) and says how to move them: a backup made with
local files, restored with object storage (README, "Backups and restore"). `--ignore-local-files`
goes on anyway (files meant to stay behind).
"""

import contextlib
from pathlib import Path

from botocore.exceptions import ClientError
from django.conf import settings
from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError

from training.storage import PUBLIC_FOLDERS

# Every alias kept in the bucket (they share it, under their own prefixes).
ALIASES = ("default", "private", "h5p")


def s3_buckets():
    """(bucket name, boto3 client) of every S3 storage among ALIASES, each bucket once."""
    seen = {}
    for alias in ALIASES:
        storage = storages[alias]
        # MediaStorage ("default") keeps its public side in .public.
        for candidate in (storage, getattr(storage, "public", None)):
            bucket_name = getattr(candidate, "bucket_name", None)
            if bucket_name and bucket_name not in seen:
                seen[bucket_name] = candidate.connection.meta.client
    return seen.items()


class Command(BaseCommand):
    help = "Create the object storage bucket if it is missing (ACOMPANA_STORAGE=s3)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--ignore-local-files", action="store_true",
            help="Go on when the bucket is empty while the local folders hold files.",
        )  # fmt: skip

    def handle(self, *args, **options):
        if settings.ACOMPANA_STORAGE != "s3":
            self.stdout.write("Local files (ACOMPANA_STORAGE=local): no bucket to create.")
            return
        for bucket_name, client in s3_buckets():
            self._make(bucket_name, client)
            if not options["ignore_local_files"]:
                self._refuse_files_left_behind(bucket_name, client)

    def _refuse_files_left_behind(self, bucket_name, client) -> None:
        if client.list_objects_v2(Bucket=bucket_name, MaxKeys=1).get("KeyCount", 0):
            return
        left = local_folders_with_files()
        if left:
            raise CommandError(
                f"The bucket {bucket_name} is empty but local folders hold files "
                f"({', '.join(str(folder) for folder in left)}): with ACOMPANA_STORAGE=s3 the "
                "platform would not find them. Move them first: set ACOMPANA_STORAGE=local, "
                "run `manage.py backup`, set ACOMPANA_STORAGE=s3 again and run `manage.py "
                'restore` (README, "Backups and restore"). Or keep ACOMPANA_STORAGE=local; '
                "or run storage_init --ignore-local-files if those files may stay behind."
            )

    def _make(self, bucket_name, client) -> None:
        try:
            client.head_bucket(Bucket=bucket_name)
        except ClientError as error:
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if status != 404:
                raise CommandError(
                    f"The bucket {bucket_name} cannot be checked ({error}): are "
                    "ACOMPANA_S3_ACCESS_KEY_ID and ACOMPANA_S3_SECRET_ACCESS_KEY right?"
                ) from error
        else:
            self.stdout.write(f"Bucket {bucket_name} is there.")
            return
        region = client.meta.region_name
        location = {}
        if region and region != "us-east-1":  # S3 needs it named outside us-east-1
            location = {"CreateBucketConfiguration": {"LocationConstraint": region}}
        # Made meanwhile by another process: as good.
        with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
            client.create_bucket(Bucket=bucket_name, **location)
        self.stdout.write(self.style.SUCCESS(f"Bucket {bucket_name} created."))


def local_folders_with_files() -> list[Path]:
    """The local folders files were kept in before object storage (public media, private
    files, the H5P store) that hold at least one file."""
    media = Path(settings.MEDIA_ROOT)
    folders = [
        *(media / name for name in sorted(PUBLIC_FOLDERS)),
        Path(settings.ACOMPANA_PRIVATE_ROOT),
        Path(settings.ACOMPANA_H5P_ROOT),
    ]
    return [
        folder for folder in folders
        if folder.is_dir() and any(path.is_file() for path in folder.rglob("*"))
    ]  # fmt: skip
