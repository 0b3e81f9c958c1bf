"""The default file storage: public by exception, private by default.

Wagtail keeps every upload in Django's default storage, under a folder per kind: `documents/`,
`original_images/` (what editors upload), `images/` (renditions, resized copies made for pages),
`avatar_images/` (editors' profile pictures), `wagtail_uploads/` (an upload waiting for its
form in the multiple uploader). Only renditions and avatars are meant to be shown to visitors:
they stay in MEDIA_ROOT, served at MEDIA_URL. Every other name lives in ACOMPANA_PRIVATE_ROOT,
outside MEDIA_ROOT, and has no URL: documents reach people only through Wagtail's document view,
which checks the collection's privacy (WAGTAILDOCS_SERVE_METHOD = "serve_view"), and original
images only through the renditions made from them.

Routing by name keeps Wagtail's own document and image models (swapping them would need data
migrations of every table that points at them) and changes no migration: storages are not part
of a model's state.

The same aliases work on local folders (the default: `make run`, the tests) or on one private
S3-compatible bucket (ACOMPANA_STORAGE=s3; training/storage_s3.py), under the prefixes `media/`
(public names), `private/` and `h5p/`. `storages_setting()` builds STORAGES for either. Code
reaches files only through `django.core.files.storage.storages[...]` (never `.path()`), so both
work the same; nothing is served from the bucket's own URLs (README, "Object storage").
"""

import io
import os
import posixpath
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.utils.module_loading import import_string

# Top-level folders of MEDIA_ROOT that may be served publicly. Keep in step with README,
# "What stays public".
PUBLIC_FOLDERS = frozenset({"images", "avatar_images"})


def is_public_name(name: str) -> bool:
    """Whether a storage name belongs in the public media folder."""
    normalised = posixpath.normpath(str(name).replace("\\", "/")).lstrip("/")
    return normalised.split("/", 1)[0] in PUBLIC_FOLDERS


class PrivateFileSystemStorage(FileSystemStorage):
    """ACOMPANA_PRIVATE_ROOT, read when used (so that a changed setting takes effect); no URL."""

    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return str(settings.ACOMPANA_PRIVATE_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        # Wagtail's document view takes NotImplementedError as "no direct URL" and serves the
        # file itself, after its privacy checks.
        raise NotImplementedError("Private files have no URL.")


class H5PFileSystemStorage(FileSystemStorage):
    """ACOMPANA_H5P_ROOT, read when used; no URL: the H5P origin (courses/h5p/origin.py) serves
    it."""

    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return str(settings.ACOMPANA_H5P_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise NotImplementedError("H5P files are served by the H5P origin only.")


class StorageAlias(Storage):
    """`storages[alias]`, looked up on every use.

    A FileField calls its storage callable once, when the model class is made; returning this
    instead of the storage itself lets a changed STORAGES setting (a test switching to S3) take
    effect, as it does for Django's own `default_storage`.
    """

    def __init__(self, alias):
        self.alias = alias

    @property
    def target(self) -> Storage:
        return storages[self.alias]

    def __getattr__(self, name):
        # Backend-specific attributes (location, bucket...): only reached when not defined here.
        if name == "alias":
            raise AttributeError(name)
        return getattr(self.target, name)

    def open(self, name, mode="rb"):
        return self.target.open(name, mode)

    def save(self, name, content, max_length=None):
        return self.target.save(name, content, max_length=max_length)

    def get_valid_name(self, name):
        return self.target.get_valid_name(name)

    def get_alternative_name(self, file_root, file_ext):
        return self.target.get_alternative_name(file_root, file_ext)

    def get_available_name(self, name, max_length=None):
        return self.target.get_available_name(name, max_length=max_length)

    def generate_filename(self, filename):
        return self.target.generate_filename(filename)

    def path(self, name):
        return self.target.path(name)

    def delete(self, name):
        return self.target.delete(name)

    def exists(self, name):
        return self.target.exists(name)

    def listdir(self, path):
        return self.target.listdir(path)

    def size(self, name):
        return self.target.size(name)

    def url(self, name):
        return self.target.url(name)

    def get_accessed_time(self, name):
        return self.target.get_accessed_time(name)

    def get_created_time(self, name):
        return self.target.get_created_time(name)

    def get_modified_time(self, name):
        return self.target.get_modified_time(name)


class MediaStorage(Storage):
    """Public names in the public storage (served at MEDIA_URL); every other name in
    `storages["private"]`.

    `public` is a backend as in STORAGES ({"BACKEND": ..., "OPTIONS": {...}}); by default
    MEDIA_ROOT on the local disk.
    """

    def __init__(self, public=None):
        if public is None:
            self.public = FileSystemStorage()
        else:
            self.public = import_string(public["BACKEND"])(**public.get("OPTIONS", {}))
        self.private = StorageAlias("private")

    def storage_for(self, name) -> Storage:
        return self.public if is_public_name(name) else self.private

    def _open(self, name, mode="rb"):
        return self.storage_for(name)._open(name, mode)

    def _save(self, name, content):
        return self.storage_for(name)._save(name, content)

    def path(self, name):
        return self.storage_for(name).path(name)

    def url(self, name):
        return self.storage_for(name).url(name)

    def delete(self, name):
        return self.storage_for(name).delete(name)

    def exists(self, name):
        return self.storage_for(name).exists(name)

    def listdir(self, path):
        return self.storage_for(path).listdir(path)

    def size(self, name):
        return self.storage_for(name).size(name)

    def get_accessed_time(self, name):
        return self.storage_for(name).get_accessed_time(name)

    def get_created_time(self, name):
        return self.storage_for(name).get_created_time(name)

    def get_modified_time(self, name):
        return self.storage_for(name).get_modified_time(name)


# --- Serving stored files: one open, its size and date, its bytes as they arrive -----------------
def _ns(moment: datetime) -> int:
    """A datetime as nanoseconds since the epoch, exactly (no float rounding)."""
    whole = moment.replace(microsecond=0).timestamp()
    return int(whole) * 1_000_000_000 + moment.microsecond * 1000


def opened_meta(storage: Storage, name: str, opened) -> tuple[int, int]:
    """(size, mtime in ns) of a stored file opened from `storage`, without asking the storage
    again when the open file knows them: a local file's descriptor (fstat), an object store's
    object (its HEAD, made by open)."""
    obj = getattr(opened, "obj", None)  # django-storages' S3File: loaded when opened
    if obj is not None and getattr(obj, "last_modified", None) is not None:
        return int(obj.content_length), _ns(obj.last_modified)
    try:
        stat = os.fstat(opened.fileno())
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return storage.size(name), _ns(storage.get_modified_time(name))
    return stat.st_size, stat.st_mtime_ns


def streamed(opened):
    """What to stream of an opened stored file: on an object store, the object's body, read as
    it arrives from one GET (reading the opened S3File would first download the whole object into
    a temporary file); anywhere else, the file itself."""
    obj = getattr(opened, "obj", None)
    if obj is None or not callable(getattr(obj, "get", None)):
        return opened
    body = obj.get()["Body"]
    opened.close()
    return body


# --- Settings: STORAGES for local folders or one S3 bucket ---------------------------------------
STATICFILES_BACKEND = "django.contrib.staticfiles.storage.StaticFilesStorage"
# What ACOMPANA_STORAGE=s3 needs (ACOMPANA_S3_REGION has a default), as keyword -> variable.
S3_VARIABLES = {
    "endpoint_url": "ACOMPANA_S3_ENDPOINT_URL",
    "bucket_name": "ACOMPANA_S3_BUCKET",
    "access_key": "ACOMPANA_S3_ACCESS_KEY_ID",
    "secret_key": "ACOMPANA_S3_SECRET_ACCESS_KEY",
}


def storages_setting(kind="local", *, s3=None, staticfiles=STATICFILES_BACKEND) -> dict:
    """The STORAGES setting: "local" folders (MEDIA_ROOT, ACOMPANA_PRIVATE_ROOT,
    ACOMPANA_H5P_ROOT) or one "s3" bucket. `s3` holds the bucket's endpoint_url, bucket_name,
    access_key, secret_key and region_name (see S3_VARIABLES)."""
    if kind == "local":
        return {
            "default": {"BACKEND": "training.storage.MediaStorage"},
            # Certificates' PDFs, pool spreadsheets, data downloads, documents, original images
            # (no URL: served by views that check who asks).
            "private": {"BACKEND": "training.storage.PrivateFileSystemStorage"},
            # The H5P store: uploads, libraries and content (served by the H5P origin only).
            "h5p": {"BACKEND": "training.storage.H5PFileSystemStorage"},
            "staticfiles": {"BACKEND": staticfiles},
        }
    if kind != "s3":
        raise ImproperlyConfigured(f'ACOMPANA_STORAGE must be "local" or "s3", not "{kind}".')
    s3 = dict(s3 or {})
    missing = [variable for key, variable in S3_VARIABLES.items() if not s3.get(key)]
    if missing:
        raise ImproperlyConfigured(f"ACOMPANA_STORAGE=s3 needs {', '.join(missing)}.")
    options = {
        "endpoint_url": s3["endpoint_url"],
        "bucket_name": s3["bucket_name"],
        "access_key": s3["access_key"],
        "secret_key": s3["secret_key"],
        "region_name": s3.get("region_name") or "us-east-1",
        "signature_version": "s3v4",
        # bucket name in the path, not the host name: what SeaweedFS and MinIO expect.
        "addressing_style": "path",
        # The bucket stays private: no object gets a public ACL.
        "default_acl": None,
        # Like the local folders: a name already taken gets a suffix, never overwritten.
        "file_overwrite": False,
    }
    return {
        "default": {
            "BACKEND": "training.storage.MediaStorage",
            "OPTIONS": {
                "public": {
                    "BACKEND": "training.storage_s3.PublicS3Storage",
                    "OPTIONS": {**options, "location": "media"},
                }
            },
        },
        "private": {
            "BACKEND": "training.storage_s3.PrivateS3Storage",
            "OPTIONS": {**options, "location": "private"},
        },
        "h5p": {
            "BACKEND": "training.storage_s3.H5PS3Storage",
            "OPTIONS": {**options, "location": "h5p"},
        },
        "staticfiles": {"BACKEND": staticfiles},
    }


@checks.register(checks.Tags.security)
def check_private_root_outside_media_root(app_configs, **kwargs):
    """Private files under MEDIA_ROOT would be served by whatever serves /media/."""
    media = Path(settings.MEDIA_ROOT).resolve()
    private = Path(settings.ACOMPANA_PRIVATE_ROOT).resolve()
    if private.is_relative_to(media) or media.is_relative_to(private):
        return [
            checks.Error(
                f"ACOMPANA_PRIVATE_ROOT ({private}) and MEDIA_ROOT ({media}) must be separate "
                "folders, neither inside the other: what is under MEDIA_ROOT may be served "
                "publicly at /media/.",
                id="training.E003",
            )
        ]
    return []
