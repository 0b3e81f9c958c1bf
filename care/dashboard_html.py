"""The dashboard's care section, written in Python (training.html;
issue 18): the same HTML as the template it replaced, whitespace aside (compared for every
branch, language and time zone when it was written)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from training.html import btr, esc, html, section_start


def render_dashboard_care(data) -> str:
    check_in = esc(reverse("care:check_in"))
    parts = [section_start("care", _("Taking care of yourself"))]
    for cohort in data["due"]:
        parts += [
            '<div class="card care-due">\n<p>',
            btr(
                gettext_noop(
                    "Your cohort “%(cohort)s” offers a weekly check-in. How are you carrying "
                    "things this week? It takes a minute, and only you will see your answers."
                ),
                cohort=cohort["title"],
            ),
            '</p>\n<p><a href="', check_in, "?cohort=", esc(cohort["cohort_id"]), '">',
            _("Take this week's check-in"),
            "</a></p>\n</div>\n",
        ]  # fmt: skip
    parts += [
        '<p><a href="', esc(reverse("care:home")), '">', _("Your care space"), "</a> — ",
        _("private check-ins, your self-care plan, support resources"),
        "</p>\n</section>",
    ]  # fmt: skip
    return html(parts)
