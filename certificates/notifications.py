"""The messages certificates sends (certificates/tasks.py), registered with the sender
(training/notifications.py: each sent once, in the recipient's language, discreet subjects).
All are essential: news about a person's own certificate is always sent."""

from django.utils.translation import gettext_lazy as _

from training.notifications import Kind, register, send

__all__ = ["send"]

register(
    Kind("certificate_ready", _("Your certificate"),
         "certificates/email/certificate_ready.txt"),
    Kind("renewal_reminder", _("Time to renew your certificate"),
         "certificates/email/renewal_reminder.txt"),
    Kind("certificate_revoked", _("About your certificate"),
         "certificates/email/certificate_revoked.txt"),
    Kind("certificate_expired", _("About your certificate"),
         "certificates/email/certificate_expired.txt"),
)  # fmt: skip
