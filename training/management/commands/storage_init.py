"""Create the object storage's bucket when it is missing (ACOMPANA_STORAGE=s3); safe to repeat.

docker-compose.yml's migrate service runs it before `migrate`. With local folders it does nothing:
each folder is made when the first file is saved into it.
"""

import contextlib

from botocore.exceptions import ClientError
from django.conf import settings
from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError

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

    def handle(self, *args, **options):
        if settings.ACOMPANA_STORAGE != "s3":
            self.stdout.write("Local files (ACOMPANA_STORAGE=local): no bucket to create.")
            return
        for bucket_name, client in s3_buckets():
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
                continue
            region = client.meta.region_name
            location = {}
            if region and region != "us-east-1":  # S3 needs it named outside us-east-1
                location = {"CreateBucketConfiguration": {"LocationConstraint": region}}
            # Made meanwhile by another process: as good.
            with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
                client.create_bucket(Bucket=bucket_name, **location)
            self.stdout.write(self.style.SUCCESS(f"Bucket {bucket_name} created."))
