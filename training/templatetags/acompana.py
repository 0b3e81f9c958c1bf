from django import template
from django.utils import formats, timezone

register = template.Library()


@register.filter
def when(value):
    """A date and time in the viewer's time zone, with the zone named: people compare times
    across continents, so a bare "03:58" is not enough."""
    if not value:
        return ""
    local = timezone.localtime(value)
    return (
        f"{formats.date_format(local, 'DATETIME_FORMAT')} ({timezone.get_current_timezone_name()})"
    )
