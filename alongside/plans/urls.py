from django.urls import path

from alongside.plans import views

app_name = "plans"
urlpatterns = [
    path("engagements/<int:pk>/goals/new/", views.goal_create, name="goal_create"),
    path("goals/<int:pk>/edit/", views.goal_edit, name="goal_edit"),
]
