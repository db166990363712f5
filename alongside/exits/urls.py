from django.urls import path

from alongside.exits import views

app_name = "exits"
urlpatterns = [
    path("<int:pk>/exit/", views.exit_start, name="start"),
    path("<int:pk>/exit/complete/", views.exit_complete, name="complete"),
]
