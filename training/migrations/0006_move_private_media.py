"""Move documents and original images out of MEDIA_ROOT into ACOMPANA_PRIVATE_ROOT.

The default storage (training/storage.py) now keeps them there, outside what /media/ serves.
Files keep their names, so no database row changes. Runs wherever `migrate` runs (`make run`,
the compose file's migrate service); running it again moves nothing. Reversing it moves the files
back for the code that expected them in MEDIA_ROOT.
"""

import filecmp
import os
import shutil
from pathlib import Path

from django.conf import settings
from django.db import migrations

# What Wagtail wrote to the default storage that must not be public. Fixed here (not imported
# from training.storage) so that this migration keeps doing what it did when it was written.
PRIVATE_FOLDERS = ("documents", "original_images", "wagtail_uploads")


def move_folders(*, source_root: Path, target_root: Path, folders=PRIVATE_FOLDERS) -> int:
    """Move every file under source_root/<folder> to the same name under target_root.

    A file already at its target with the same content is dropped from the source; a different
    file at the target stops the migration, naming both, so that nothing is overwritten.
    Returns the number of files moved.
    """
    source_root, target_root = Path(source_root).resolve(), Path(target_root).resolve()
    if source_root == target_root:
        return 0
    moved = 0
    for folder in folders:
        source_folder = source_root / folder
        if not source_folder.is_dir():
            continue
        for directory, _subfolders, files in os.walk(source_folder):
            for filename in files:
                source = Path(directory) / filename
                target = target_root / source.relative_to(source_root)
                if target.exists():
                    if not filecmp.cmp(source, target, shallow=False):
                        raise RuntimeError(
                            f"Cannot move {source} to {target}: a different file is already "
                            "there. Keep the right one in the target, delete the other, and run "
                            "`manage.py migrate` again."
                        )
                    source.unlink()
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                # A copy then a delete when the two roots are on different volumes.
                shutil.move(source, target)
                moved += 1
        # Leave no empty folder behind in the public root.
        for directory, _subfolders, _files in os.walk(source_folder, topdown=False):
            if not any(Path(directory).iterdir()):
                Path(directory).rmdir()
    return moved


def to_private_root(apps, schema_editor):
    move_folders(source_root=settings.MEDIA_ROOT, target_root=settings.ACOMPANA_PRIVATE_ROOT)


def to_media_root(apps, schema_editor):
    move_folders(source_root=settings.ACOMPANA_PRIVATE_ROOT, target_root=settings.MEDIA_ROOT)


class Migration(migrations.Migration):
    dependencies = [("training", "0005_role_groups")]

    operations = [migrations.RunPython(to_private_root, to_media_root)]
