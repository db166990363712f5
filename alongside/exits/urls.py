from django.urls import path

from alongside.exits import views

app_name = "exits"
urlpatterns = [
    path("<int:pk>/exit/", views.exit_start, name="start"),
    path("<int:pk>/exit/steps/", views.step_record, name="step"),
    path("<int:pk>/exit/complete/", views.exit_complete, name="complete"),
    path("<int:pk>/exit/summary.pdf", views.summary_pdf, name="summary_pdf"),
    path("<int:pk>/exit/my-summary.pdf", views.portal_summary_pdf, name="portal_summary_pdf"),
    path("<int:pk>/reopen/", views.reopen, name="reopen"),
]
