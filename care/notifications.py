"""The message care sends (training/notifications.py: sent once, in the recipient's language):
a cohort's trainers are told that someone asked to talk. The subject names no topic, and the
message neither the person nor what they wrote: the trainer reads the request signed in, on the
cohort's care page."""

from django.utils.translation import gettext_lazy as _

from training.notifications import Kind, register, send

__all__ = ["send"]

register(
    Kind("care_debrief_request", _("A member of your cohort asked to talk"),
         "care/email/debrief_request.txt"),
)  # fmt: skip
