"""The dashboard's learning section, written in Python (training.html;
issue 18): the same HTML as the template it replaced, whitespace aside (compared for every
branch, language and time zone when it was written)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from training.html import attr, btr, esc, html, section_start


def render_dashboard_learning(data) -> str:
    parts = [section_start("learning", _("Your learning"))]
    catalog = data.get("catalog_url")
    if courses := data.get("courses"):
        parts.append('<ul class="course-list">\n')
        for item in courses:
            parts += ['<li class="card">\n<h3><a href="', attr(item["url"]), '">',
                      esc(item["title"]), "</a></h3>\n"]  # fmt: skip
            if item["completed"]:
                parts += ['<p class="done">✓ ', _("Completed"), "</p>\n"]
            else:
                done, total = item["done_shown"], item["total_shown"]
                parts += [
                    "<p>",
                    btr(gettext_noop("%(done)s of %(total)s required modules completed."),
                        done=done, total=total),
                    '</p>\n<progress max="', attr(total), '" value="', attr(done), '">',
                    esc(done), "/", esc(total), "</progress>\n",
                ]  # fmt: skip
                if module := item["continue_module"]:
                    if item["started"]:
                        words = _("Continue where you left off")
                    else:
                        words = _("Start the course")
                    parts += ['<p><a class="button" href="', attr(module.url), '">', words,
                              '</a> <span class="muted">', esc(item["continue_title"]),
                              "</span></p>\n"]  # fmt: skip
                else:
                    parts += ['<p><a class="button" href="', attr(item["url"]), '">',
                              _("Open the course"), "</a></p>\n"]  # fmt: skip
            parts.append("</li>\n")
        parts.append("</ul>\n")
        if catalog:
            parts += ['<p><a href="', attr(catalog), '">', _("Browse all courses"), "</a></p>\n"]
    else:
        parts += [
            '<p class="empty">',
            _("You have not started a course yet. Courses you are enrolled in will appear "
               "here, with a link to continue where you left off."),
        ]  # fmt: skip
        if catalog:
            parts += [' <a href="', attr(catalog), '">', _("Browse the courses"), "</a>"]
        parts.append("</p>\n")
    parts.append("</section>")
    return html(parts)
