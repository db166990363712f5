"""Navigation built from the user's capabilities, so menus never offer a 403."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from alongside.core.permissions import Cap, capabilities_of

NAVIGATION = [
    (Cap.DASHBOARD_VIEW, "dashboard", _("Dashboard")),
    (Cap.REFERRALS_VIEW, "referrals:list", _("Referrals")),
    (Cap.REFERRALS_VIEW, "referrals:waitlist", _("Waitlist")),
    (Cap.ENGAGEMENTS_VIEW, "engagements:list", _("Engagements")),
    (Cap.ENGAGEMENTS_VIEW, "meetings:week", _("Week")),
    (Cap.CONCERNS_TRIAGE, "concerns:list", _("Concerns")),
    (Cap.REPORTS_VIEW, "reports:index", _("Reports")),
    (Cap.SUPERVISION_VIEW, "supervision:list", _("Supervision")),
    (Cap.EMERGENCY_ACCESS, "breakglass:request", _("Emergency access")),
    (Cap.EMERGENCY_REVIEW, "breakglass:reviews", _("Emergency access reviews")),
    (Cap.ORGANIZATION_CONFIGURE, "records:retention", _("Retention")),
    (Cap.PORTAL_VIEW, "portal:home", _("My support")),
    (Cap.PROFILE_EDIT, "accounts:profile", _("My profile")),
    (Cap.CONCERNS_RAISE, "concerns:create", _("Raise a concern")),
]


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    caps = capabilities_of(user, getattr(request, "organization", None))
    items = [
        {"url": reverse(name), "label": label, "active": request.path == reverse(name)}
        for cap, name, label in NAVIGATION
        if cap in caps
    ]
    from alongside.notifications.models import Notification

    unread = Notification.objects.filter(user=user, read_at__isnull=True).count()
    return {
        "nav_items": items,
        "capabilities": {str(c) for c in caps},
        "unread_notices": unread,
        "idle_warning_seconds": settings.SESSION_IDLE_WARNING_SECONDS,
    }
