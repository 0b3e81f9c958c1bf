"""Parts of the course page written in Python (training.html; issue 18): the list of modules (a
row per module, each with several messages, was a quarter of the page's time in the template
engine) and the “Read offline” box (a dozen messages). The HTML is the templates', whitespace
aside (`{% module_list %}` and `{% offline_copy %}` in course_page.html;
tests/courses/test_page_html.py compares both with the template they replaced, for every state
of a row, in every language)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from training.html import attr, btr_plural, esc, html

from .models import ProgressStatus


def _minutes(minutes) -> str:
    return btr_plural(
        lambda: ngettext("%(minutes)s minute", "%(minutes)s minutes", minutes), minutes=minutes
    )


def _status(row) -> list[str]:
    if row.locked:
        return [_("Locked"), ": ", esc(row.lock_reason)]
    if row.status == ProgressStatus.COMPLETED:
        return ["✓ ", _("Completed")]
    if row.progress is not None and row.progress.set_aside_at:
        return [_("Set aside — open it when you are ready")]
    if row.status == ProgressStatus.IN_PROGRESS:
        return [_("In progress")]
    return [_("Not started")]


def module_list(rows, *, enrolled: bool, can_open: bool, preview_id) -> str:
    """The `<li>` of each row (courses.selectors.ModuleRow) for the `<ol>` around them: its
    link when the reader may open it (or it is the free preview), how long it takes, whether it
    is optional, the reader's state in it (enrolled) and its summary."""
    if not rows:
        return html(["<li>", _("No modules are published yet."), "</li>\n"])
    parts = []
    for row in rows:
        module = row.module
        preview = module.pk == preview_id
        parts += ['<li class="module-row status-', attr(row.status),
                  " locked" if row.locked else "", '">\n']  # fmt: skip
        title = esc(module.title)
        if (can_open and not row.locked) or preview:
            parts += ['<a href="', attr(module.url), '">', title, "</a>\n"]
        else:
            parts += ["<span>", title, "</span>\n"]
        if preview:
            parts += ['<span class="tag">', _("Free preview"), "</span>\n"]
        parts += ['<span class="muted">· ', _minutes(module.estimated_minutes)]
        if not module.required:
            parts += [" · ", _("optional")]
        parts.append("</span>\n")
        if enrolled:
            parts += ['<span class="status">', *_status(row), "</span>\n"]
        if module.summary:
            parts += ['<p class="muted">', esc(module.summary), "</p>\n"]
        parts.append("</li>\n")
    return html(parts)


def _literal(translated: str) -> str:
    """A `{% translate '…' %}` literal with a percent sign: its msgid doubles it (“%%(size)s”,
    the template's own), and the tag gives it back single."""
    return translated.replace("%%", "%")


def offline_copy(page) -> str:
    """The course page's “Read offline” box for an enrolled reader (hidden until
    static/js/offline.js finds the browser can save pages), with the messages the script shows
    in the reader's language."""
    messages = [
        ("size", _literal(_("Saving this course downloads about %%(size)s."))),
        ("saving", _literal(_("Saving… %%(done)s of %%(total)s files."))),
        ("saved", _("Saved on this device: you can read it offline.")),
        ("updating", _("The course has changed since you saved it: updating the saved copy…")),
        ("updated", _("The saved copy is up to date.")),
        ("removed", _("The saved copy was removed from this device.")),
        (
            "failed",
            _(
                "Saving stopped (the connection dropped?). What was saved is kept; try again when "
                "you are online."
            ),
        ),
        ("full", _("This device has no room left to save the course.")),
        ("offline", _("You are offline. This is what is saved on this device.")),
        ("unavailable", _("We could not check what there is to save. Try again later.")),
        ("module-saved", _("Saved")),
        ("module-not-saved", _("Not saved")),
    ]
    parts = ['<section class="notice offline-copy" aria-labelledby="offline-heading" hidden\n'
             ' data-offline-course="', attr(reverse("courses:offline", args=[page.pk])),
             '" data-course-id="', attr(page.pk), '" data-offline-page="', attr(reverse("offline")),
             '"']  # fmt: skip
    for name, text in messages:
        parts += ["\n data-msg-", name, '="', text, '"']
    parts += [
        '>\n<h2 id="offline-heading">', _("Read offline"), "</h2>\n<p>",
        _("Save this course on this device to read its modules without a connection. Only you "
          "can open the saved copy, and signing out removes it."),
        '</p>\n<p data-offline-size></p>\n<div class="actions">\n'
        '<button type="button" data-offline-save>', _("Save this course for offline"),
        '</button>\n<button type="button" class="button secondary" data-offline-remove hidden>',
        _("Remove saved copy"), '</button>\n</div>\n<p role="status" data-offline-status></p>\n'
        '<ul class="offline-modules" aria-label="', _("Modules on this device"),
        '" data-offline-modules></ul>\n</section>\n',
    ]  # fmt: skip
    return html(parts)
