from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from cohorts import links
from training import audit_display

# The moderation actions this app records in the audit log (training.audit), with the words an
# administrator reads in the log's report.
AUDIT_ACTIONS = {
    "community.post_hidden": _("Hid a post in a cohort's space"),
    "community.post_unhidden": _("Showed again a post hidden in a cohort's space"),
    "community.thread_pinned": _("Pinned or unpinned a thread in a cohort's space"),
    "community.thread_locked": _("Locked or reopened a thread in a cohort's space"),
    "community.report_resolved": _("Closed the reports about a post in a cohort's space"),
}


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = _("Cohort spaces")

    def ready(self):
        # Imported here: these modules import models, which apps.py cannot.
        from training import audit  # noqa: PLC0415

        from . import digests  # noqa: F401, PLC0415 — registers the digest's kind and panel

        # The way in: on the cohort's page (its members and trainers) and in the trainer's menu
        # of the cohort (only its own trainers: administrators do not enter the space).
        links.register(links.Link(
            name="community-space", place=links.COHORT_PAGE,
            label=_("The cohort's discussion space"), url_name="community:space",
            shown_to=frozenset({links.MEMBER, links.TRAINER}),
        ))  # fmt: skip
        links.register(links.Link(
            name="community-space", place=links.TRAINER_MENU, label=_("Discussion space"),
            url_name="community:space", shown_to=frozenset({links.TRAINER}), order=10,
        ))  # fmt: skip

        for action, label in AUDIT_ACTIONS.items():
            audit.ACTIONS.setdefault(action, label)
        audit_display.LABELS.setdefault("thread", _("Thread"))
        audit_display.LABELS.setdefault("post", _("Post"))
        audit_display.LABELS.setdefault("pinned", _("Pinned"))
        audit_display.LABELS.setdefault("locked", _("Locked"))
        audit_display.REFERENCES.add("post")
        audit_display.show_by_name("thread", "community.Thread", "title")
