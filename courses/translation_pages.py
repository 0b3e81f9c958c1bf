"""A page and its translations move together (Wagtail's internationalisation, wagtail-localize).

A learner is served the copy of a page in their language *at the original's address*
(courses.i18n): the copy must live at the same path as its original, in its own locale's tree.
So:

- deleting, unpublishing or moving an original (a page of the default locale) in the admin does
  the same to its copies: Wagtail's delete, unpublish and move views ask the
  `construct_translated_pages_to_cascade_actions` hook which pages follow, and say so (and list
  them) on their confirmation page;
- a copy's slug is its original's: the slug is not translated (a synchronised field, not shown in
  the translation editor), a copy saved with another slug (a stale copy was in the way, so Wagtail
  added "-1") takes the original's back, and when the original's slug changes the copies follow;
- a *leftover copy* is a page of another locale that was made as a copy (an alias, or a
  translation: wagtail-localize's records or Wagtail's own log of the page say so) and whose
  original no longer exists (it was deleted before deletions took their translations along). It
  is what stands in the way: it is deleted when a copy needs its address, and the deletion is
  recorded in the audit log. A page written directly in another language (no original, not made
  as a copy) is never deleted: the copy stays at "…-1" and a warning says why.
  `translations_repair()` (run after every `migrate`, and by `manage.py translations_repair`,
  which has a `--dry-run`) mends what was left by earlier deletions.

It also tells translators, in wagtail-localize's editor, which question, option or feedback of a
quiz each string is.
"""

import functools
import logging

from django.apps import apps
from django.db import DatabaseError, transaction
from django.db.models import F, OuterRef, Subquery
from django.db.models.signals import post_migrate, post_save
from django.utils.translation import gettext
from wagtail.actions.delete_page import DeletePageAction
from wagtail.blocks import StreamValue
from wagtail.models import Page, PageLogEntry
from wagtail.signals import page_slug_changed
from wagtail_localize.fields import SynchronizedField, TranslatableField, get_translatable_fields
from wagtail_localize.models import Translation
from wagtail_localize.views import edit_translation

from training import audit, i18n

from .blocks import QuizBlock

logger = logging.getLogger(__name__)


# --- Which pages follow an original -------------------------------------------------------------
def copies_of(page: Page):
    """The pages of other locales that are `page`'s copies (translations and aliases), when
    `page` is an original; none for a copy (deleting a Spanish translation deletes only it)."""
    default = i18n.default_locale_id()
    if default is None or page.locale_id != default:
        return Page.objects.none()
    return Page.objects.filter(translation_key=page.translation_key).exclude(locale_id=default)


def pages_to_cascade(pages, action: str) -> dict:
    """For Wagtail's hook: {page: the copies that are deleted, moved or unpublished with it}.
    Unpublishing names translations only: Wagtail unpublishes an original's aliases itself."""
    result = {}
    for page in pages:
        copies = copies_of(page)
        if action == "unpublish":
            copies = copies.filter(alias_of__isnull=True)
        elif action not in ("delete", "move"):
            continue
        result[page] = copies.specific().order_by("locale__language_code")
    return result


# --- A copy lives at its original's address -----------------------------------------------------
# What Wagtail logs for a page made as a copy in another locale: a translation
# (`copy_for_translation`, wagtail-localize's too) or an alias (locale synchronisation). The log
# outlives the original, unlike `alias_of` (set to null when the original is deleted) and
# wagtail-localize's Translation records (deleted with their source page).
COPY_ACTIONS = ("wagtail.copy_for_translation", "wagtail.create_alias")


def _made_as_copies(rows: list[dict]) -> set[int]:
    """The ids of the pages among `rows` (pk, translation_key, locale_id, alias_of_id) that were
    made as copies of a page of another locale. Two queries."""
    copies = {row["pk"] for row in rows if row["alias_of_id"]}
    copies |= set(
        PageLogEntry.objects.filter(page_id__in=[row["pk"] for row in rows],
                                    action__in=COPY_ACTIONS).values_list("page_id", flat=True)
    )  # fmt: skip
    targets = set(
        Translation.objects.filter(
            source__object_id__in={row["translation_key"] for row in rows}
        ).values_list("source__object_id", "target_locale_id")
    )
    copies |= {row["pk"] for row in rows if (row["translation_key"], row["locale_id"]) in targets}
    return copies


def is_leftover_copy(page: Page) -> bool:
    """Whether `page` (with everything below it) is provably what an earlier deletion left: a page
    of another locale that was made as a copy, whose original is gone, and so is every original
    of what is below it — no page of the default locale shares their translation keys, and every
    page that does was made as a copy too. Nothing leads a reader to it any more, and deleting it
    loses nothing anybody wrote. A page written directly in its language is never one."""
    default = i18n.default_locale_id()
    if default is None or page.locale_id == default:
        return False
    keys = {page.translation_key} | set(
        page.get_descendants().values_list("translation_key", flat=True)
    )
    rows = list(
        Page.objects.filter(translation_key__in=keys).values(
            "pk", "translation_key", "locale_id", "alias_of_id"
        )
    )
    if any(row["locale_id"] == default for row in rows):
        return False
    return {row["pk"] for row in rows} <= _made_as_copies(rows)


def _delete_leftover(page: Page, *, making_way_for: Page, report: dict | None = None) -> None:
    """Delete the leftover copy `page` (and what is below it), recorded in the audit log (and in
    `report`, translations_repair's)."""

    page = page.specific
    below = page.get_descendants().count()
    if not (report or {}).get("dry_run"):
        logger.warning(
            "Deleting the leftover copy %s (page %s, locale %s): page %s takes its address",
            page.url_path, page.pk, page.locale_id, making_way_for.pk,
        )  # fmt: skip
    audit.record(
        action="page.stray_translation_deleted",
        detail={
            "page": page.pk, "page_title": page.title, "address": page.url_path,
            "language": page.locale.language_code, "pages_below": below,
            "address_for": making_way_for.pk,
        },
    )  # fmt: skip
    if report is not None:
        report["deleted"] += 1
        report["lines"].append(
            f"Deleted the leftover copy {_address(page)} (and {below} page(s) below it) to free "
            f"the slug for page {making_way_for.pk}"
        )
    DeletePageAction(page, user=None).execute(skip_permission_checks=True)


def copy_follow_original(page: Page, original_slug: str | None = None, *,
                         report: dict | None = None) -> bool:  # fmt: skip
    """Give the copy `page` its original's slug, deleting a leftover copy that holds it. Returns
    whether the slug changed; leaves the page alone when the slug is held by a page that is not
    provably a leftover copy: a sibling that still has an original (its own repair may free the
    slug) or a page written directly in that language (never deleted: a warning says so)."""
    default = i18n.default_locale_id()
    if default is None or page.locale_id == default:
        return False
    if original_slug is None:
        original_slug = (
            Page.objects.filter(translation_key=page.translation_key, locale_id=default)
            .values_list("slug", flat=True)
            .first()
        )
    if original_slug is None or original_slug == page.slug:
        return False
    parent = page.get_parent()
    if parent is None or parent.is_root():
        # Each locale's home page is a sibling of the others, Wagtail names it "home-es".
        return False
    holder = parent.get_children().filter(slug=original_slug).exclude(pk=page.pk).first()
    if holder is not None:
        if not is_leftover_copy(holder):
            return False
        _delete_leftover(holder, making_way_for=page, report=report)
    page.slug = original_slug
    # Page.save works out the new url_path (and its descendants') from the slug.
    page.save(update_fields=["slug", "url_path"], clean=False)
    return True


def on_page_saved(sender, instance, raw=False, **kwargs):
    """post_save: a copy saved with a slug other than its original's takes the original's.

    Runs in the transaction that saves the copy, before wagtail-localize takes a revision of it:
    the revision has the right slug too."""
    if raw or not isinstance(instance, Page) or getattr(instance, "_acompana_following", False):
        return
    default = i18n.default_locale_id()
    if default is None or instance.locale_id == default:
        return
    instance._acompana_following = True
    try:
        copy_follow_original(instance)
    finally:
        instance._acompana_following = False


def on_slug_changed(sender, instance, instance_before=None, **kwargs):
    """page_slug_changed (after commit): an original's copies take its new slug."""
    if i18n.default_locale_id() is None or instance.locale_id != i18n.default_locale_id():
        return
    with transaction.atomic():
        for copy in copies_of(instance).specific():
            copy_follow_original(copy, original_slug=instance.slug)


# --- Mending what earlier deletions left --------------------------------------------------------
def strays():
    """Copies whose slug is not their original's (e.g. "module-1-1" beside a stale "module-1"),
    shallowest first, each with `original_slug`."""
    default = i18n.default_locale_id()
    if default is None:
        return Page.objects.none()
    original_slug = Page.objects.filter(
        translation_key=OuterRef("translation_key"), locale_id=default
    ).values("slug")[:1]
    return (
        Page.objects.exclude(locale_id=default)
        .filter(depth__gt=2)  # not the locales' home pages ("home-es", beside "home")
        .annotate(original_slug=Subquery(original_slug))
        .exclude(original_slug__isnull=True)
        .exclude(slug=F("original_slug"))
        .order_by("depth", "path")
    )


class _DryRun(Exception):
    """Undoes a dry run's changes (raised inside its transaction)."""


def _address(page) -> str:
    return f"{page.url_path} ({page.locale.language_code}, page {page.pk})"


def translations_repair(*, dry_run: bool = False) -> dict:
    """Move every stray copy back to its original's address, deleting the leftover copies in the
    way (each recorded in the audit log). Returns {"moved": n, "deleted": n, "left": n, "lines":
    [what was done, in words]}: `left` are copies whose address is held by a page that is not
    provably a leftover copy (reported, not touched). `dry_run`: does it all in a transaction
    that is rolled back, and returns what it would have done."""
    report = {"moved": 0, "deleted": 0, "left": 0, "lines": [], "dry_run": dry_run}
    try:
        with transaction.atomic():
            _repair(report)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


def _repair(report: dict) -> None:
    while True:  # a copy may wait for the one holding its address to move first
        blocked = []
        moved_now = 0
        for page in strays().select_related("locale"):
            if copy_follow_original(page.specific, original_slug=page.original_slug,
                                    report=report):  # fmt: skip
                moved_now += 1
                report["lines"].append(
                    f"Moved {_address(page)} back to its original's slug {page.original_slug!r}"
                )
            else:
                blocked.append(page)
        report["moved"] += moved_now
        if not blocked or not moved_now:
            break
    report["left"] = len(blocked)
    for page in blocked:
        logger.warning(
            "The copy %s (page %s) cannot take its original's slug %r: another page holds it, "
            "and it is not provably a leftover copy (left as it is)",
            page.url_path, page.pk, page.original_slug,
        )  # fmt: skip
        report["lines"].append(
            f"Left {_address(page)}: another page holds the slug {page.original_slug!r}"
        )


def repair_after_migrate(sender, **kwargs):
    """post_migrate: mend stray copies once the tables are there (nothing to do: one query). Only
    leftover copies are ever deleted (`is_leftover_copy`), each recorded in the audit log."""
    try:
        if strays().exists():
            translations_repair()
    except DatabaseError:  # a partial migrate, before Wagtail's or the locales' tables exist
        logger.warning("Stray translations not checked: the page tables are not ready")


# --- The slug is not translated -----------------------------------------------------------------
def synchronise_slugs() -> None:
    """wagtail-localize translates every text field of a page, the slug among them, unless the
    model lists its `translatable_fields`: give each page model the list wagtail-localize would
    derive, with the slug synchronised instead (not shown to translators)."""
    for model in apps.get_models():
        if not issubclass(model, Page) or model is Page or "translatable_fields" in vars(model):
            continue
        fields = [
            SynchronizedField("slug", overridable=False)
            if isinstance(field, TranslatableField) and field.field_name == "slug"
            else field
            for field in get_translatable_fields(model)
        ]
        model.translatable_fields = fields


# --- Quiz strings say where they are in the translation editor ----------------------------------
def quiz_segment_label(instance, content_path: str) -> str | None:
    """Which question, option or feedback of a quiz a string is ("Question 2 · Option 3 ·
    Feedback"), from its path in the page's StreamField ("body.<quiz>.questions.<question>.
    options.<option>.feedback"); None for anything else. wagtail-localize names only the block
    and its first field ("Quiz", "Questions") for every string of a quiz."""

    parts = content_path.split(".")
    if len(parts) < 5 or parts[2] != "questions":
        return None
    stream = getattr(instance, parts[0], None)
    if not isinstance(stream, StreamValue):
        return None
    quiz = next((child for child in stream if child.id == parts[1]), None)
    if quiz is None or not isinstance(quiz.block, QuizBlock):
        return None
    questions = list(quiz.value["questions"])
    number = next((n for n, q in enumerate(questions, 1) if q.id == parts[3]), None)
    if number is None:
        return None
    question = questions[number - 1]
    label = [gettext("Question %(number)s") % {"number": number}]
    field, rest = parts[4], parts[5:]
    try:
        if field == "options" and len(rest) >= 2:
            options = question.value["options"]
            ids = [option.id for option in options.bound_blocks]
            label.append(gettext("Option %(number)s") % {"number": ids.index(rest[0]) + 1})
            if rest[1] != "text":
                option_block = question.block.child_blocks["options"].child_block
                label.append(str(option_block.child_blocks[rest[1]].label))
        elif field != "text":
            label.append(str(question.block.child_blocks[field].label))
    except (KeyError, ValueError, AttributeError):
        return None
    return " · ".join(label)


def label_quiz_segments() -> None:
    """Give wagtail-localize's translation editor our labels for quiz strings. Its view asks
    `get_segment_location_info` (a function of its module) where each string is: wrapped here,
    its answer keeps everything and gets a precise `subField`, which the editor shows above the
    string."""

    located = edit_translation.get_segment_location_info
    if getattr(located, "acompana_quiz_labels", False):
        return

    @functools.wraps(located)
    def with_quiz_labels(source_instance, tab_helper, content_path, field_path, widget=False):
        info = located(source_instance, tab_helper, content_path, field_path, widget=widget)
        label = quiz_segment_label(source_instance, content_path)
        if label:
            info["subField"] = label
        return info

    with_quiz_labels.acompana_quiz_labels = True
    edit_translation.get_segment_location_info = with_quiz_labels


def connect(app_config) -> None:
    """Called from CoursesConfig.ready()."""

    synchronise_slugs()
    label_quiz_segments()
    post_save.connect(on_page_saved, dispatch_uid="courses-copy-follows-original")
    page_slug_changed.connect(on_slug_changed, dispatch_uid="courses-copies-follow-slug")
    post_migrate.connect(
        repair_after_migrate, sender=app_config, dispatch_uid="courses-translations-repair"
    )
