"""The "acknowledge" activity: the learner confirms they have read something (a protocol, a
safety procedure) before going on. Its block, its page and its one action live here; the
module body offers the block (courses.blocks.ModuleBodyBlock).

Confirming is recorded as the activity's completion (services.activity_complete): nothing
else is kept, so there is nothing more to export or delete about a person.
"""

from django.contrib import messages
from django.http import JsonResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from .activities import Action, ActionRequest, ActivityKind, register


class AcknowledgeBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"))
    text = blocks.TextBlock(
        label=_("What to read"),
        required=False,
        help_text=_("Optional: the protocol itself, or where to find it."),
    )
    statement = blocks.CharBlock(
        label=_("What the learner confirms"),
        default=_("I have read this and will follow it."),
    )
    required = blocks.BooleanBlock(label=_("Required for completion"), required=False, default=True)

    class Meta:
        icon = "tick-inverse"
        label = _("Acknowledgement")
        template = "blocks/acknowledge.html"


class AcknowledgeKind(ActivityKind):
    name = "acknowledge"
    block_type = "acknowledge"
    label = _("Acknowledgement")
    actions = {"acknowledge": Action("acknowledge")}

    def acknowledge(self, act: ActionRequest):
        """Record the confirmation (once: confirming again changes nothing)."""
        # The models load this module (its block is in their StreamField): services, which
        # import the models, are imported when the learner acts.
        from . import services  # noqa: PLC0415 — the models import this module

        try:
            if not any(a.id == act.activity_id and a.kind is self for a in act.shown.activities):
                raise services.LearningError(
                    gettext("This activity does not exist in this module.")
                )
            if act.request.POST.get("confirmed") != "on":
                raise services.LearningError(gettext("Tick the box to confirm."))
            services.module_assert_open(user=act.user, module=act.module, course=act.course)
            services.activity_complete(
                user=act.user, module=act.module, course=act.course,
                activity_id=act.activity_id, kind=self.name,
            )  # fmt: skip
        except services.LearningError as error:
            return act.refuse(error, anchor=act.anchor)
        if act.wants_json:
            return JsonResponse({"ok": True})
        messages.success(act.request, gettext("Thank you: your confirmation is recorded."))
        return act.back(act.anchor)


register(AcknowledgeKind())
