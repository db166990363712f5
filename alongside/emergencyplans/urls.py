from django.urls import path

from alongside.emergencyplans import views

app_name = "emergencyplans"
urlpatterns = [
    path("engagements/<int:pk>/emergency-plan/", views.plan_view, name="view"),
    path("engagements/<int:pk>/emergency-plan/edit/", views.plan_edit, name="edit"),
]
