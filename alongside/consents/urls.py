from django.urls import path

from alongside.consents import views

app_name = "consents"
urlpatterns = [
    path("engagements/<int:pk>/consents/new/", views.consent_create, name="create"),
    path("consents/<int:pk>/", views.consent_detail, name="detail"),
    path("consents/<int:pk>/pdf/", views.consent_pdf, name="pdf"),
    path("consents/<int:pk>/revoke/", views.consent_revoke, name="revoke"),
    path(
        "engagements/<int:pk>/disclosures/new/",
        views.disclosure_create,
        name="disclosure_create",
    ),
    path("disclosures/<int:pk>/", views.disclosure_detail, name="disclosure_detail"),
    path("disclosures/<int:pk>/pdf/", views.disclosure_pdf, name="disclosure_pdf"),
    path("portal/consents/", views.portal_list, name="portal_list"),
    path("portal/consents/new/", views.portal_create, name="portal_create"),
    path("portal/consents/<int:pk>/revoke/", views.portal_revoke, name="portal_revoke"),
    path("portal/consents/<int:pk>/pdf/", views.portal_pdf, name="portal_pdf"),
    path("portal/disclosures/", views.portal_disclosures, name="portal_disclosures"),
    path("portal/disclosures/accounting/", views.portal_accounting, name="portal_accounting"),
]
