from django.contrib.auth.decorators import permission_required
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .selectors import completion_counts


@permission_required("wagtailadmin.access_admin")
def completion_report(request):
    return render(
        request,
        "courses/admin/completion_report.html",
        {"rows": completion_counts(), "header_title": _("Course completion")},
    )


@hooks.register("register_admin_urls")
def register_completion_report_url():
    return [
        path("reports/course-completion/", completion_report, name="courses_completion_report"),
    ]


@hooks.register("register_reports_menu_item")
def register_completion_report_menu_item():
    return MenuItem(
        _("Course completion"),
        reverse("courses_completion_report"),
        icon_name="tasks",
        order=100,
    )


@hooks.register("register_admin_viewset")
def register_h5p_admin():
    from .h5p.admin import H5PGroup

    return H5PGroup()


@hooks.register("before_publish_page")
def refuse_modules_with_unreviewed_h5p(request, page):
    """A module whose H5P activity needs a library not yet approved keeps its saved draft but
    is not published; the editor is told which libraries wait for an administrator."""
    from django.contrib import messages
    from django.shortcuts import redirect

    from .h5p.store import unapproved_libraries_in

    problems = unapproved_libraries_in(page.specific)
    if not problems:
        return None
    messages.error(
        request,
        _("Saved as a draft, not published: %(problems)s An administrator must approve these "
          "libraries (H5P → H5P libraries) first.") % {"problems": " ".join(problems)},
    )  # fmt: skip
    return redirect("wagtailadmin_pages:edit", page.pk)
