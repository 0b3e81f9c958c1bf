"""Give every stored H5P library and content file its .br/.gz siblings:
`manage.py h5p_precompress`.

New uploads get them when they are extracted; this is for a store filled before that (run once
after upgrading). Idempotent: a file whose siblings are there already is skipped. Folders being
written by a running extraction (hidden `.partial-…`) are left to it.
"""

from django.core.management.base import BaseCommand

from courses.h5p.compression import precompress_tree
from courses.h5p.store import content_root, libraries_root


class Command(BaseCommand):
    help = "Write compressed (.br/.gz) copies of stored H5P library and content files."

    def handle(self, *args, **options):
        total = 0
        for root in (libraries_root(), content_root()):
            if not root.is_dir():
                continue
            for folder in sorted(root.iterdir()):
                if folder.is_dir() and not folder.is_symlink() and not folder.name.startswith("."):
                    total += precompress_tree(folder)
        self.stdout.write(f"{total} files compressed.")
