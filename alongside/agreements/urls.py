from django.urls import path

from alongside.agreements import views

app_name = "agreements"
urlpatterns = [
    path("engagements/<int:pk>/agreements/", views.agreement_record, name="record"),
    path(
        "engagements/<int:pk>/documents/<int:template>/sign/<str:role>/",
        views.sign_in_person,
        name="sign_in_person",
    ),
    path("signed-documents/<int:pk>/pdf/", views.document_pdf, name="pdf"),
    path("signed-documents/<int:pk>/scan/", views.scan_download, name="scan"),
    path("portal/documents/", views.portal_list, name="portal_list"),
    path(
        "portal/engagements/<int:pk>/documents/<int:template>/",
        views.portal_sign,
        name="portal_sign",
    ),
    path("portal/signed-documents/<int:pk>/pdf/", views.portal_pdf, name="portal_pdf"),
]
