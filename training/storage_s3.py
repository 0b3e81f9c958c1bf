"""The storages of ACOMPANA_STORAGE=s3: one private bucket, a prefix per alias.

Kept apart from training/storage.py so that boto3 (half a second to import) is loaded only when
S3 is used. training.storage.storages_setting() names these backends and gives their options.
Nothing is ever served from the bucket's own URLs: the bucket has no public ACL, and no backend
here makes a signed URL. Public media (renditions, avatars) have MEDIA_URL addresses, answered by
Django from the bucket (training/urls.py); private and H5P files have no URL at all.
"""

from urllib.parse import urljoin

from django.conf import settings
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage


class PublicS3Storage(S3Storage):
    """Image renditions and avatars, under media/: served at MEDIA_URL by Django's media view."""

    def url(self, name, parameters=None, expire=None, http_method=None):
        return urljoin(settings.MEDIA_URL, filepath_to_uri(name).lstrip("/"))


class PrivateS3Storage(S3Storage):
    """Documents, original images, certificates, exports, data downloads, under private/."""

    def url(self, name, parameters=None, expire=None, http_method=None):
        # Like PrivateFileSystemStorage: Wagtail's document view then serves the file itself.
        raise NotImplementedError("Private files have no URL.")


class H5PS3Storage(S3Storage):
    """The H5P store, under h5p/: served by the H5P origin only."""

    def url(self, name, parameters=None, expire=None, http_method=None):
        raise NotImplementedError("H5P files are served by the H5P origin only.")
