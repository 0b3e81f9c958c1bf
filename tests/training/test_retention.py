"""Personal data is kept no longer than it serves the person."""

from datetime import timedelta

import pytest
from django.utils import timezone

from training.factories import UserFactory
from training.models import User
from training.tasks import purge_unverified_accounts

pytestmark = pytest.mark.django_db


def _aged(user, days, logged_in=False):
    User.objects.filter(pk=user.pk).update(
        date_joined=timezone.now() - timedelta(days=days),
        last_login=timezone.now() if logged_in else None,
    )
    return user


def test_unconfirmed_sign_ups_are_deleted_after_the_retention_period(settings):
    settings.ACOMPANA_UNVERIFIED_ACCOUNT_DAYS = 14
    stale = _aged(UserFactory(verified_email=False), 15)
    recent = _aged(UserFactory(verified_email=False), 3)
    confirmed = _aged(UserFactory(), 400)
    used = _aged(UserFactory(verified_email=False), 400, logged_in=True)

    made_by_admin = _aged(UserFactory(verified_email=False), 400)
    made_by_admin.emailaddress_set.all().delete()
    trainer = _aged(UserFactory(verified_email=False, roles=["trainer"]), 400)

    assert purge_unverified_accounts.delay().get() == 1
    remaining = set(User.objects.values_list("pk", flat=True))
    assert stale.pk not in remaining
    assert {recent.pk, confirmed.pk, used.pk, made_by_admin.pk, trainer.pk} <= remaining
    # Running it again changes nothing.
    assert purge_unverified_accounts.delay().get() == 0
    assert set(User.objects.values_list("pk", flat=True)) == remaining
