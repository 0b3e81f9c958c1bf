from django.conf import settings
from django.utils import timezone


def platform(request):
    return {
        "ORGANISATION_NAME": settings.ACOMPANA_ORGANISATION,
        "CURRENT_TIME_ZONE": timezone.get_current_timezone_name(),
    }
