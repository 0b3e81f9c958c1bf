"""Give every stored H5P library and content file its .br/.gz siblings:
`manage.py h5p_precompress`.

New uploads get them when they are extracted; this is for a store filled before that (run once
after upgrading). Idempotent: a file whose siblings are there already is skipped. Hidden folders
(`.partial-…`, left by extractions of older versions) are skipped. Works on whatever storage holds
the store (storages["h5p"]).
"""

from django.core.management.base import BaseCommand

from courses.h5p.compression import precompress_tree
from courses.h5p.files import CONTENT, LIBRARIES, h5p_storage, listdir


class Command(BaseCommand):
    help = "Write compressed (.br/.gz) copies of stored H5P library and content files."

    def handle(self, *args, **options):
        storage, total = h5p_storage(), 0
        for root in (LIBRARIES, CONTENT):
            folders, _files = listdir(storage, root)
            for name in sorted(folders):
                if not name.startswith("."):
                    total += precompress_tree(storage, f"{root}/{name}")
        self.stdout.write(f"{total} files compressed.")
