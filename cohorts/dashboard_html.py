"""The dashboard's cohorts section, written in Python (training.html;
issue 18): the same HTML as the template it replaced, whitespace aside (compared for every
branch, language and time zone when it was written)."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from training.html import attr, esc, html, section_start
from training.templatetags.acompana import time_range, when


def _detail(slug) -> str:
    return reverse("cohorts:detail", args=[slug])


def render_dashboard_cohorts(data) -> str:
    parts = [section_start("cohorts", _("Your cohorts"))]
    if session := data.get("next_session"):
        parts += [
            '<div class="card">\n<h3>', _("Next live session"), "</h3>\n",
            "<p><strong>", esc(session["title"]), "</strong> · ", esc(session["cohort_title"]),
            "</p>\n<p><strong>", esc(time_range(session["starts_at"], session["ends_at"])),
            '</strong></p>\n<p class="actions">',
        ]  # fmt: skip
        if session.get("meeting_url"):
            parts += ['<a href="', attr(session["meeting_url"]), '" rel="noopener">',
                      _("Meeting link"), "</a>"]  # fmt: skip
        ics = reverse("cohorts:session_ics", args=[session["cohort_slug"], session["id"]])
        parts += ['\n<a href="', esc(ics), '">', _("Add to calendar"), "</a></p>\n</div>\n"]
    if released := data.get("released"):
        links = [
            f'<a href="{attr(release.module.url)}">{esc(release.module.title)}</a>'
            for release in released
        ]
        parts += ["<p>", _("Recently opened for you:"), " ", ", ".join(links), "</p>\n"]
    memberships, applications = data.get("memberships") or (), data.get("applications") or ()
    if memberships or applications:
        parts.append("<ul>\n")
        for membership in memberships:
            # `{% url … as detail %}`: an address that cannot be made is left empty.
            try:
                address = esc(_detail(membership["slug"]))
            except NoReverseMatch:
                address = ""
            parts += [
                '<li><a href="', address, '">', esc(membership["title"]),
                '</a> <span class="muted">· ', esc(membership["status"]), "</span>",
            ]  # fmt: skip
            if announcement := membership.get("announcement"):
                parts += [
                    "<br>", _("Message from the trainers:"), ' <a href="', address,
                    '#announcements" lang="', attr(announcement["language"]), '">',
                    esc(announcement["subject"]), '</a> <span class="muted">· ',
                    esc(when(announcement["created_at"])), "</span>",
                ]  # fmt: skip
            parts.append("</li>\n")
        for application in applications:
            parts += [
                '<li><a href="', esc(_detail(application["slug"])), '">', esc(application["title"]),
                '</a> <span class="muted">· ', esc(application["status"]), "</span></li>\n",
            ]  # fmt: skip
        parts.append("\n</ul>\n")
    else:
        parts += [
            '<p class="empty">', _("You are not in a cohort yet."), ' <a href="',
            esc(reverse("cohorts:list")), '">', _("See the cohorts taking people"), "</a></p>\n",
        ]  # fmt: skip
    parts.append("</section>")
    return html(parts)
