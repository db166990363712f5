from django.urls import path

from alongside.records import views

app_name = "records"
urlpatterns = [
    path("participants/<int:pk>/record/", views.staff_request, name="request"),
    path("retention/", views.retention, name="retention"),
]
