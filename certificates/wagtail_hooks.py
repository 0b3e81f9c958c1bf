"""Coordinators edit certification tracks and agreements in the admin (Certification menu)."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from training import outbox

from . import tasks
from .models import Agreement, AgreementSignature, Certificate, CertificationEvent, Track


class TrackViewSet(SnippetViewSet):
    model = Track
    icon = "pick"
    menu_label = _("Tracks")
    list_display = ["title", "approval", "validity_months", "active"]
    add_to_admin_menu = False


class AgreementViewSet(SnippetViewSet):
    model = Agreement
    icon = "doc-full"
    menu_label = _("Agreements")
    list_display = ["title", "slug"]
    add_to_admin_menu = False


class CertificationGroup(SnippetViewSetGroup):
    items = (TrackViewSet, AgreementViewSet)
    menu_icon = "pick"
    menu_label = _("Certification")
    menu_name = "certification"
    menu_order = 250


@hooks.register("register_admin_viewset")
def register_certification():
    return CertificationGroup()


def _re_evaluate(request, instance):
    """Requirements or an agreement's text changed: everyone concerned is evaluated again."""
    if isinstance(instance, Track):
        ids = [instance.pk]
    elif isinstance(instance, Agreement):
        ids = list(
            Track.objects.filter(requirements__agreement=instance).values_list("pk", flat=True)
        )
    else:
        return
    for track_id in set(ids):
        outbox.queue(tasks.evaluate_track, track_id)


hooks.register("after_create_snippet", _re_evaluate)
hooks.register("after_edit_snippet", _re_evaluate)


@hooks.register("before_delete_snippet")
def keep_what_has_a_history(request, instances):
    """A track people were certified on, or an agreement people signed, is part of their record:
    it is not deleted (close a track to new people instead)."""
    for instance in instances:
        if isinstance(instance, Track) and (
            Certificate.objects.filter(track=instance).exists()
            or CertificationEvent.objects.filter(track=instance).exists()
        ):
            messages.error(
                request,
                _(
                    "“%(track)s” has certificates or a history: it stays. Close "
                    "it to new people instead."
                )
                % {"track": instance},
            )
            return redirect("wagtailsnippets_certificates_track:list")
        if (
            isinstance(instance, Agreement)
            and AgreementSignature.objects.filter(version__agreement=instance).exists()
        ):
            messages.error(
                request,
                _(
                    "“%(agreement)s” has been signed: it stays, as the record "
                    "of what people agreed to."
                )
                % {"agreement": instance},
            )
            return redirect("wagtailsnippets_certificates_agreement:list")
    return None
