from django.conf import settings
from django.utils import timezone
from django.utils.functional import lazy

from .privacy_views import contact_link
from .timezones import zone_label

# Built once: lazy() makes a new proxy class on every call (a tenth of a millisecond each).
_zone_label = lazy(zone_label, str)


def platform(request):
    return {
        "ORGANISATION_NAME": settings.ACOMPANA_ORGANISATION,
        "CURRENT_TIME_ZONE": timezone.get_current_timezone_name(),
        # The same zone as a place in the page's language ("Yakarta (Indonesia)"), for people.
        "CURRENT_TIME_ZONE_LABEL": _zone_label(timezone.get_current_timezone_name()),
        # Where to write for help ({"href", "text"}) or None: ACOMPANA_CONTACT, else the privacy
        # contact.
        "CONTACT": contact_link(settings.ACOMPANA_CONTACT)
        or contact_link(settings.ACOMPANA_PRIVACY_CONTACT),
    }
