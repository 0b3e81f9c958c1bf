"""Cohort messages sent in the background, each once (NotificationLog)."""

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError
from django.urls import reverse

from training.models import User

from .models import Cohort


def invitation_link(user) -> str:
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    key = default_token_generator.make_token(user)
    path = reverse(
        "account_reset_password_from_key", kwargs={"uidb36": user_pk_to_url_str(user), "key": key}
    )
    return settings.ACOMPANA_PLATFORM_ORIGIN + path


def _tell_enrolled(kind: str, cohort_id: int, user_ids: list[int], trainer_id, link_for) -> int:
    from . import notify

    cohort = Cohort.objects.get(pk=cohort_id)
    trainer = User.objects.filter(pk=trainer_id).first()
    people = [
        (user, f"{kind}:{cohort.pk}:{user.pk}") for user in User.objects.filter(pk__in=user_ids)
    ]
    return notify.send(
        kind, people, lambda user: {"cohort": cohort, "trainer": trainer, "link": link_for(user)}
    )


@shared_task(
    name="cohorts.tasks.send_invitations", acks_late=True,
    autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=3,
)  # fmt: skip
def send_invitations(cohort_id: int, user_ids: list[int], trainer_id: int | None = None) -> int:
    """Invite people a trainer enrolled from a CSV to set their password. Safe to run twice."""
    return _tell_enrolled("invitation", cohort_id, user_ids, trainer_id, invitation_link)


@shared_task(
    name="cohorts.tasks.send_added", acks_late=True,
    autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=3,
)  # fmt: skip
def send_added(cohort_id: int, user_ids: list[int], trainer_id: int | None = None) -> int:
    """Tell people with an account that a trainer enrolled them, and how to leave if it is a
    mistake. Safe to run twice."""
    cohort_url = reverse("cohorts:detail", args=[Cohort.objects.get(pk=cohort_id).slug])
    return _tell_enrolled(
        "added", cohort_id, user_ids, trainer_id,
        lambda user: settings.ACOMPANA_PLATFORM_ORIGIN + cohort_url,
    )  # fmt: skip


# --- Notifications (cohorts.notify): each idempotent, safe to run twice -------------------------
RETRY = {"acks_late": True, "autoretry_for": (DatabaseError, OSError), "retry_backoff": True,
         "max_retries": 5}  # fmt: skip


@shared_task(name="cohorts.tasks.notify_application", **RETRY)
def notify_application(application_id: int, event: str, status: str = "") -> int:
    from . import notify
    from .models import Application

    application = (
        Application.objects.select_related("user", "cohort").filter(pk=application_id).first()
    )
    if application is None:
        return 0
    if status and application.status != status:
        return 0  # it changed again since (withdrawn, say): that news is told on its own
    if event == "received":
        return notify.application_received(application)
    return notify.application_decided(application)


@shared_task(name="cohorts.tasks.notify_session_changed", **RETRY)
def notify_session_changed(session_id: int) -> int:
    from . import notify
    from .models import LiveSession

    session = LiveSession.objects.select_related("cohort").filter(pk=session_id).first()
    return notify.session_changed(session) if session else 0


@shared_task(name="cohorts.tasks.send_session_reminders", **RETRY)
def send_session_reminders() -> int:
    from . import notify

    return notify.session_reminders()


@shared_task(name="cohorts.tasks.send_module_releases", **RETRY)
def send_module_releases() -> int:
    from . import notify

    return notify.module_releases()


@shared_task(name="cohorts.tasks.send_nudges", **RETRY)
def send_nudges() -> int:
    from . import notify

    return notify.nudges()


@shared_task(name="cohorts.tasks.send_digests", **RETRY)
def send_digests() -> int:
    from . import notify

    return notify.digests()
