"""The public privacy page, generated from the privacy registry (training/privacy.py)."""

from django.conf import settings
from django.db import transaction
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from . import privacy as registry

DELETED = _("Deleted.")


def anchor(declaration) -> str:
    """The page's id for one declaration ("data-courses-quizattempt"): a stable link target."""
    return "data-" + declaration.model.lower().replace(".", "-")


def privacy_contact() -> dict | None:
    """ACOMPANA_PRIVACY_CONTACT as a link: an email address (mailto:) or a web address."""
    return contact_link(settings.ACOMPANA_PRIVACY_CONTACT)


def contact_link(value: str | None) -> dict | None:
    """An email address (mailto:) or a web address as a link; None for anything else."""
    value = (value or "").strip()
    if value.startswith(("https://", "http://")):
        return {"href": value, "text": value}
    if "@" in value and ":" not in value and "/" not in value:
        return {"href": f"mailto:{value}", "text": value}
    return None  # unset, or not something a browser should open


@require_safe
@transaction.non_atomic_requests  # it reads no database: no transaction to open
def privacy(request):
    """What the platform keeps about a person, why, for how long and who sees it: one section per
    category of the registry. Open to everyone, signed in or not; reads no database."""
    sections = []
    for category, declarations in registry.by_category():
        items = [
            {
                "anchor": anchor(declaration),
                "title": declaration.title,
                "holds": declaration.holds,
                "purpose": declaration.purpose,
                "retention": declaration.retention.describe(),
                "seen_by": declaration.seen_by,
                "on_deletion": declaration.kept_because if declaration.keeps else DELETED,
            }
            for declaration in declarations
            if declaration.on_privacy_page
        ]
        if items:
            sections.append({"key": category.key, "title": category.title, "items": items})
    context = {
        "sections": sections,
        "contact": privacy_contact(),
        "grace_days": settings.ACOMPANA_DELETION_GRACE_DAYS,
        "download_hours": settings.ACOMPANA_DATA_DOWNLOAD_HOURS,
    }
    return render(request, "training/privacy.html", context)
