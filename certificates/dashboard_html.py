"""The dashboard's certification section and the requirements' checklist, written in Python
(training.html; issue 18): the same HTML as the templates they replaced, whitespace aside
(compared for every branch, language and time zone when they were written). The checklist is
written here only, for every page that shows one (the `{% checklist %}` tag, certificates_tags).
"""

from django.conf import settings
from django.template.defaultfilters import date as date_filter
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from training.html import attr, btr, esc, html, section_start
from training.templatetags.acompana import when

CERTIFIED_MOMENT = "certificates/includes/certified_moment.html"


def _date(value) -> str:
    """`value|date:"DATE_FORMAT"`: the filter itself, given the value as the template gives it
    (a moment in the viewer's time zone)."""
    return date_filter(template_localtime(value, use_tz=settings.USE_TZ), "DATE_FORMAT")


def render_checklist(result, *, actions=False, for_trainer=False) -> str:
    """One track's checklist for one person (an eligibility.Eligibility). `actions`: links to
    act (the volunteer's own pages: each requirement's kind gives its link,
    certificates/requirement_kinds.py). `for_trainer`: a cohort's trainer reads it: each
    requirement's state only, never details that may come from other cohorts or from
    coordinators (who signed off, attendance elsewhere, exceptions, when a check was met); a
    revocation is for coordinators. The certificate's own dates (valid until, renewal) are
    shown to every reader, as the track's stage is."""
    return html(_checklist(result, actions=actions, for_trainer=for_trainer))


def _checklist(result, *, actions, for_trainer) -> list[str]:
    stage = result.stage
    if stage == "certified":
        return [
            '<p class="done">\N{CHECK MARK} ',
            btr(gettext_noop("Certified until %(until)s."), until=_date(result.current.expires_on)),
            '\n<span class="muted">',
            btr(
                gettext_noop("The renewal path opens on %(opens)s."),
                opens=_date(result.renewal_opens),
            ),
            "</span></p>\n",
        ]
    parts = []
    if stage == "renewal":
        until = _date(result.current.expires_on)
        if result.current.state() == "expired":
            notice = btr(
                gettext_noop(
                    "The certificate expired on %(until)s: completing the renewal path below "
                    "certifies again."
                ),
                until=until,
            )
        else:
            notice = btr(
                gettext_noop("Renewal is open: the certificate is valid until %(until)s."),
                until=until,
            )
        parts += ['<p class="notice">', notice, "</p>\n"]
    if stage == "revoked" and not for_trainer:
        parts += [
            '<p class="notice notice-important">',
            _(
                "The last certificate on this track was revoked. A coordinator decides on a "
                "new certification."
            ),
            "</p>\n",
        ]
    if not result.total:
        parts += [
            '<p class="muted">',
            _("This path has no requirements yet: a coordinator will set them."),
            "</p>\n",
        ]
        return parts
    parts += [
        '<p class="progress-summary"><strong>',
        btr(
            gettext_noop("%(met)s of %(total)s requirements met"),
            met=result.met,
            total=result.total,
        ),
        '</strong></p>\n<ul class="checklist">\n',
    ]
    # The words translated once a list, not once a check.
    hidden = {True: _("Met:"), False: _("Not met yet:")}
    if for_trainer:
        state = {True: _("Met"), False: _("Not met yet")}
    for check in result.checks:
        done = bool(check.met)
        parts += [
            '<li class="', "met" if done else "open", '">\n<span aria-hidden="true">',
            "\N{CHECK MARK}" if done else "\N{WHITE CIRCLE}",
            '</span>\n<span class="visually-hidden">', hidden[done], "</span>\n",
            esc(check.label), ' \N{EM DASH} <span class="muted">',
        ]  # fmt: skip
        if for_trainer:
            parts.append(state[done])
        else:
            parts.append(esc(check.detail))
            if check.done_at:
                parts += [" \N{MIDDLE DOT} ", esc(when(check.done_at))]
        parts.append("</span>\n")
        if actions and not done:
            link = check.link
            if link:
                parts += [' <a href="', attr(link.url), '">', esc(link.text), "</a>\n"]
        parts.append("</li>\n")
    parts.append("</ul>\n")
    return parts


def render_dashboard_certification(data) -> str:
    parts = [section_start("certification", _("Certification"))]
    pool_eligible = data.get("pool_eligible")
    pool_member = data.get("pool_member")
    if data.get("moment"):
        # Only in the days after a certification: the template, as the page of certificates
        # shows it too (it reads nothing of the request).
        parts.append(
            render_to_string(
                CERTIFIED_MOMENT,
                {
                    "moment": data["moment"],
                    "pool_eligible": pool_eligible,
                    "pool_member": pool_member,
                },
            )
        )
    pending = data.get("pending") or ()
    for result in data.get("results") or ():
        parts += ['<div class="card">\n<h3>', esc(result.track.local_title), "</h3>\n"]
        parts += _checklist(result, actions=True, for_trainer=False)
        if result.track.pk in pending:
            parts += [
                '<p class="notice">',
                _("You met every requirement: a coordinator is reviewing your certification."),
                "</p>\n",
            ]
        parts.append("</div>\n")
    parts += [
        '<p class="actions"><a href="', esc(reverse("certificates:mine")), '">',
        _("Your certificates"), "</a>\n",
    ]  # fmt: skip
    if pool_eligible:
        in_pool = getattr(pool_member, "in_pool", False)
        parts += [
            '<a href="', esc(reverse("certificates:pool")), '">',
            _("Your place in the responder pool") if in_pool else _("Join the responder pool"),
            "</a>",
        ]  # fmt: skip
    parts.append("</p>\n</section>")
    return html(parts)
