from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet

from .h5p.admin import H5PGroup
from .h5p.store import unapproved_libraries_in
from .selectors import completion_counts, translations_out_of_date
from .translation_pages import pages_to_cascade


@permission_required("wagtailadmin.access_admin")
def completion_report(request):
    return render(
        request,
        "courses/admin/completion_report.html",
        {"rows": completion_counts(), "header_title": _("Course completion")},
    )


@permission_required("wagtailadmin.access_admin")
def translations_report(request):
    return render(
        request,
        "courses/admin/translations_report.html",
        {"rows": translations_out_of_date(), "header_title": _("Translations out of date")},
    )


@hooks.register("register_admin_urls")
def register_completion_report_url():
    return [
        path("reports/course-completion/", completion_report, name="courses_completion_report"),
        path("reports/translations-out-of-date/", translations_report,
             name="courses_translations_report"),
    ]  # fmt: skip


@hooks.register("register_reports_menu_item")
def register_translations_report_menu_item():
    return MenuItem(
        _("Translations out of date"),
        reverse("courses_translations_report"),
        icon_name="globe",
        order=110,
    )


@hooks.register("register_reports_menu_item")
def register_completion_report_menu_item():
    return MenuItem(
        _("Course completion"),
        reverse("courses_completion_report"),
        icon_name="tasks",
        order=100,
    )


# The H5P menu. Registered as snippets are (the group holds the H5P activity snippet, whose
# chooser the H5P block and the translation editor use), so that the activity is a known snippet
# as soon as Wagtail's hooks are loaded, in the admin or not (a Celery task, a command).
register_snippet(H5PGroup)


@hooks.register("before_publish_page")
def refuse_modules_with_unreviewed_h5p(request, page):
    """A module whose H5P activity needs a library not yet approved keeps its saved draft but
    is not published; the editor is told which libraries wait for an administrator."""
    problems = unapproved_libraries_in(page.specific)
    if not problems:
        return None
    messages.error(
        request,
        _("Saved as a draft, not published: %(problems)s An administrator must approve these "
          "libraries (H5P → H5P libraries) first.") % {"problems": " ".join(problems)},
    )  # fmt: skip
    return redirect("wagtailadmin_pages:edit", page.pk)


@hooks.register("construct_translated_pages_to_cascade_actions")
def translations_follow_their_original(pages, action):
    """Deleting, moving or unpublishing a page of the default locale does the same to its
    translations (and aliases): Wagtail's confirmation pages count them (and ours list them)."""
    return pages_to_cascade(pages, action)
