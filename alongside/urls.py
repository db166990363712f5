from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from alongside.api.urls import api
from alongside.core import views as core_views

admin.site.site_header = _("Alongside administration")
admin.site.site_title = "Alongside"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("dashboard/", core_views.dashboard, name="dashboard"),
    path("language/", core_views.language_set, name="language"),
    path("accounts/", include("alongside.accounts.urls")),
    path("accounts/api-tokens/", include("alongside.api.page_urls")),
    path("participants/", include("alongside.participants.urls")),
    path("", include("alongside.referrals.urls")),
    path("", include("alongside.matching.urls")),
    path("engagements/", include("alongside.engagements.urls")),
    path("", include("alongside.agreements.urls")),
    path("engagements/", include("alongside.meetings.urls")),
    path("", include("alongside.meetings.note_urls")),
    path("", include("alongside.plans.urls")),
    path("", include("alongside.surveys.urls")),
    path("", include("alongside.consents.urls")),
    path("", include("alongside.emergencyplans.urls")),
    path("", include("alongside.teamplans.urls")),
    path("", include("alongside.contacts.urls")),
    path("supervision/", include("alongside.supervision.urls")),
    path("engagements/", include("alongside.assessments.urls")),
    path("engagements/", include("alongside.exits.urls")),
    path("concerns/", include("alongside.concerns.urls")),
    path("reports/", include("alongside.reports.urls")),
    path("portal/", include("alongside.portal.urls")),
    path("", include("alongside.records.urls")),
    path("notifications/", include("alongside.notifications.urls")),
    path("emergency-access/", include("alongside.breakglass.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
# The load test's one-query yardstick (docs/deployment.md); absent unless it asks.
if settings.LOADTEST_BASELINE:
    urlpatterns.append(path("", include("alongside.core.baseline")))
