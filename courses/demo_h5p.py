"""The demo's H5P samples: imported once in English and once per language the demo gives their
words in (`courses/demo_data/<language>/h5p.yaml`), each in its own checked copy of the package
with the demo's words, as an editor would save them from the H5P editor. Used by `courses.demo`
(English) and `courses.demo_i18n` (translations); deterministic ids keep reseeding idempotent.
"""

import io
import json
import uuid
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile

from training.models import User

from . import demo_data
from .h5p import services as h5p_services
from .h5p import store
from .models import H5PActivity, H5PLibrary


def h5p_uuid(key: str) -> uuid.UUID:
    return uuid.uuid5(demo_data.NAMESPACE, f"h5p/{key}")


def h5p_version(key: str, language: str | None) -> uuid.UUID:
    """The sample's activity in `language` if it is ready to play, otherwise the original."""
    if language:
        localized = h5p_uuid(f"{key}/{language}")
        if H5PActivity.objects.filter(uuid=localized, status=H5PActivity.Status.READY).exists():
            return localized
    return h5p_uuid(key)


def h5p_ready(module: dict) -> bool:
    keys = [value["key"] for kind, value in module["body"] if kind == "h5p"]
    ready = H5PActivity.objects.filter(
        uuid__in=[h5p_uuid(key) for key in keys], status=H5PActivity.Status.READY
    ).count()
    return ready == len(keys)


def _merge(original, words):
    """`original` (from content.json) with `words` laid over it: dicts key by key, lists item by
    item (a list of words must have as many items), anything else replaced."""
    if isinstance(words, dict) and isinstance(original, dict):
        return {
            **original,
            **{key: _merge(original.get(key), value) for key, value in words.items()},
        }
    if isinstance(words, list) and isinstance(original, list):
        if len(words) != len(original):
            raise ValueError(f"{len(words)} items of words for {len(original)} items")
        return [_merge(item, item_words) for item, item_words in zip(original, words, strict=True)]
    return words


def localized_package(path, title: str, language: str, words: dict) -> bytes:
    """The H5P package at `path` with its texts in another language: content.json's words
    replaced by `words` (same structure), h5p.json naming the language and title. What an
    editor does when they save a translated copy of an exercise in the H5P editor."""
    out = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "content/content.json":
                data = json.dumps(_merge(json.loads(data), words), ensure_ascii=False).encode()
            elif info.filename == "h5p.json":
                data = json.dumps({**json.loads(data), "language": language, "title": title},
                                  ensure_ascii=False).encode()  # fmt: skip
            target.writestr(info, data)
    return out.getvalue()


def _import(*, path: Path, name: str, title: str, language: str, words: dict, key_uuid, admin):
    """The package with these words, uploaded and unpacked here (not in the background), its new
    libraries approved as an administrator would after review."""
    package = localized_package(path, title, language, words)
    activity = h5p_services.h5p_activity_create(
        package=ContentFile(package, name=name), title=title, language=language,
        uploaded_by=admin, in_background=False, activity_uuid=key_uuid,
    )  # fmt: skip
    activity = store.activity_extract(activity_id=activity.pk)
    if activity.status == H5PActivity.Status.READY:
        for library in activity.libraries.filter(status=H5PLibrary.Status.PENDING):
            h5p_services.h5p_library_review(library=library, user=admin, approve=True)
    return activity


def _administrator():
    return User.objects.filter(is_superuser=True).order_by("pk").first()


def seed_h5p(stdout) -> None:
    """Import the sample packages once. What the samples say of themselves (h5p.json's title,
    the question set's start screen) is replaced by the demo's words in its copy (H5P_WORDS,
    from demo_data/en/h5p.yaml), uploaded and checked like any package."""
    content = demo_data.load()
    folder = Path(settings.ACOMPANA_DEMO_H5P_DIR)
    admin = _administrator()
    for key, (file_name, title) in content.H5P_SAMPLES.items():
        if H5PActivity.objects.filter(uuid=h5p_uuid(key)).exists():
            continue
        path = folder / file_name
        if not path.is_file():
            stdout.write(f"H5P sample {path} not found: the practice module is left out.")
            continue
        activity = _import(
            path=path, name=file_name, title=title, language="en",
            words=content.H5P_WORDS.get(key, {}), key_uuid=h5p_uuid(key), admin=admin,
        )  # fmt: skip
        if activity.status != H5PActivity.Status.READY:
            raise ValueError(f"Demo course content, {file_name}: the H5P sample was refused: "
                             f"{activity.reasons}")  # fmt: skip
        stdout.write(f"Imported H5P sample “{title}” and approved its libraries")


def seed_h5p_versions(stdout, code: str, words) -> None:
    """The H5P samples in `code` (those the language's content gives words for), uploaded as
    activities in that language; translated modules play them (see courses.demo_i18n)."""
    folder = Path(settings.ACOMPANA_DEMO_H5P_DIR)
    admin = _administrator()
    for key, version in getattr(words, "H5P", {}).items():
        activity_uuid = h5p_uuid(f"{key}/{code}")
        file_name, _title = demo_data.load().H5P_SAMPLES[key]
        if H5PActivity.objects.filter(uuid=activity_uuid).exists():
            continue
        if not (folder / file_name).is_file():
            continue
        activity = _import(
            path=folder / file_name, name=f"{key}-{code}.h5p", title=version["title"],
            language=code, words=version["content"], key_uuid=activity_uuid, admin=admin,
        )  # fmt: skip
        if activity.status != H5PActivity.Status.READY:
            stdout.write(f"The {code} version of the H5P sample {key} was refused: "
                         f"{activity.reasons}")  # fmt: skip
            continue
        stdout.write(f"Imported the H5P sample “{version['title']}” ({code})")
