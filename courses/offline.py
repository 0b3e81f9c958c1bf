"""What a course's copy saved for offline reading holds, for the person asking: the course page,
the modules they can open now (in the language copy they are served), each module's images in
the rendition the page shows (the low-bandwidth one: 800 by 600 at most, WebP), the static files
the pages need and the page shown offline for anything not saved. Transcripts are part of the
module pages (the video block's "Transcript"), so they come with them; uploaded videos,
captions and documents are private files and are never saved. Quizzes are saved as the page
shows them: without their answer keys, which reach the browser only after an attempt.

static/js/offline.js asks for it (`/learn/courses/<id>/offline/`), shows the size before
saving and saves each URL into the person's own Cache Storage; `version` changes whenever any
module is republished (or opens, or the static files change): the course page then updates the
saved copy.
"""

import hashlib

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.templatetags.static import static as static_url
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from training.offline import page_static_names, static_size, static_version

from .models import CoursePage, ModulePage
from .outlines import course_outline, with_progress
from .selectors import learner_records, module_rows, shared_blocks_html

# What the page around a module's shared blocks weighs (header, footer, navigation), and each
# activity rendered for the person: measured on the demo's pages. The size shown is "about": the
# pages are not rendered here.
PAGE_FRAME_BYTES = 5_000
ACTIVITY_BYTES = 2_000
COURSE_PAGE_BYTES = 8_000
OFFLINE_PAGE_BYTES = 4_000
IMAGE_FILTER = "max-800x600|format-webp"  # templates/blocks/image.html


def _refused(status=403) -> JsonResponse:
    return JsonResponse({"ok": False}, status=status)


def _module_pages(shown: CoursePage, course: CoursePage) -> dict:
    """The published modules a reader of `shown` is served, by translation key: the copy's
    own, else the original's (a module not translated yet keeps the original's address)."""
    pages: dict = {}
    for parent in (course, shown) if shown.pk != course.pk else (course,):
        for module in ModulePage.objects.live().child_of(parent):
            pages[module.translation_key] = module
    return pages


def _images(module: ModulePage) -> list[dict]:
    files = []
    for block in module.body:
        if block.block_type != "image" or not block.value.get("image"):
            continue
        try:
            rendition = block.value["image"].get_rendition(IMAGE_FILTER)
            size = rendition.file.size
        except (OSError, ValueError):
            continue  # the original is missing: the page shows nothing either
        files.append({"url": rendition.url, "bytes": size, "kind": "image"})
    return files


def _page_bytes(module: ModulePage, request) -> int:
    shared = shared_blocks_html(module, request)
    return (
        PAGE_FRAME_BYTES
        + sum(len(html.encode()) for html in shared.values())
        + ACTIVITY_BYTES * len(module.activities)
    )


@never_cache
@require_GET
def course_offline(request, course_id: int):
    """The URLs to save for reading the course offline, their sizes and the copy's version, for
    a signed-in learner enrolled in it; only the modules they can open now (published, released,
    not locked). Anyone else gets nothing."""
    if not request.user.is_authenticated:
        return _refused(401)
    shown = get_object_or_404(CoursePage.objects.live(), pk=course_id)
    for restriction in shown.get_view_restrictions():
        if not restriction.accept_request(request):
            raise PermissionDenied
    outline = course_outline(shown)
    course = outline.course()
    if not course.live:
        raise Http404
    records = learner_records(request.user, course.pk)
    if not records.enrolled:
        return _refused()
    rows = module_rows(course, request.user, with_progress(outline, records))
    pages = _module_pages(shown, course)
    modules, files, revisions = [], [], []
    for row in rows:
        page = pages.get(row.module.translation_key)
        if row.locked or page is None:
            continue
        images = _images(page)
        size = _page_bytes(page, request)
        pages_of_module = [{"url": row.module.url, "bytes": size, "kind": "page"}]
        if page.content_notes:
            # The module past its content notes: what "Continue to the module" opens offline.
            notes_seen = f"{row.module.url}?{urlencode({'notes': 'seen'})}"
            pages_of_module.append({"url": notes_seen, "bytes": size, "kind": "page"})
        modules.append({"id": row.module.pk, "title": row.module.title, "url": row.module.url,
                        "files": [f["url"] for f in pages_of_module[1:] + images]})  # fmt: skip
        files.extend(pages_of_module)
        files.extend(images)
        revisions.append(f"{page.pk}:{page.live_revision_id}")
    files.insert(0, {"url": shown.url, "bytes": COURSE_PAGE_BYTES, "kind": "course"})
    files.append({"url": reverse("offline"), "bytes": OFFLINE_PAGE_BYTES, "kind": "page"})
    files.extend(
        {"url": static_url(name), "bytes": static_size(name), "kind": "static"}
        for name in page_static_names()
    )
    seen: set[str] = set()
    files = [f for f in files if not (f["url"] in seen or seen.add(f["url"]))]
    low_bandwidth = int(bool(getattr(request.user, "low_bandwidth", False)))
    version_parts = [shown.pk, shown.live_revision_id, get_language(), low_bandwidth,
                     static_version(), *revisions]  # fmt: skip
    total = sum(f["bytes"] for f in files)
    return JsonResponse({
        "ok": True,
        "course": {"id": shown.pk, "title": shown.title, "url": shown.url},
        "version": hashlib.sha256("|".join(map(str, version_parts)).encode()).hexdigest()[:20],
        "modules": modules,
        "files": files,
        "total_bytes": total,
        "total_label": filesizeformat(total),
    })  # fmt: skip
