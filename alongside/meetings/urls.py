from django.urls import path

from alongside.meetings import views

app_name = "meetings"
urlpatterns = [path("<int:pk>/meetings/new/", views.meeting_create, name="create")]
