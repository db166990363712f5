from django.urls import path

from alongside.participants import views

app_name = "participants"
urlpatterns = [path("<int:pk>/portal-access/", views.portal_invite, name="portal_invite")]
