from django.urls import path

from alongside.teamplans import views

app_name = "teamplans"
urlpatterns = [
    path("engagements/<int:pk>/team-plan/", views.worksheet_view, name="view"),
    path("engagements/<int:pk>/team-plan/edit/", views.worksheet_edit, name="edit"),
    path("engagements/<int:pk>/team-plan/reviewed/", views.worksheet_reviewed, name="review"),
]
