from django.urls import path

from alongside.participants import views

app_name = "participants"
urlpatterns = [
    path("<int:pk>/details/", views.participant_edit, name="edit"),
    path("<int:pk>/portal-access/", views.portal_invite, name="portal_invite"),
]
