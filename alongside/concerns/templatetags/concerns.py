"""Short, readable durations for the triage list (time to acknowledge, to resolve)."""

import datetime

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def short_duration(value: datetime.timedelta | None) -> str:
    if value is None:
        return "—"
    minutes = max(int(value.total_seconds() // 60), 0)
    if minutes < 60:
        return _("%(n)d min") % {"n": minutes}
    hours = minutes // 60
    if hours < 48:
        return _("%(n)d h") % {"n": hours}
    return _("%(n)d d") % {"n": hours // 24}
