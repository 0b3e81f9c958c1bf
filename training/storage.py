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
"""

import os
import posixpath
from pathlib import Path

from django.conf import settings
from django.core import checks
from django.core.files.storage import FileSystemStorage, Storage

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


class MediaStorage(Storage):
    """Public names in MEDIA_ROOT (served at MEDIA_URL); every other name in the private root."""

    def __init__(self):
        self.public = FileSystemStorage()
        self.private = PrivateFileSystemStorage()

    def storage_for(self, name) -> FileSystemStorage:
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
