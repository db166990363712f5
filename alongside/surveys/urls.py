from django.urls import path

from alongside.surveys import views

app_name = "surveys"
urlpatterns = [
    path("engagements/<int:pk>/surveys/", views.record_choose, name="record_choose"),
    path("engagements/<int:pk>/surveys/<slug:slug>/", views.record_new, name="record_new"),
    path("survey-responses/<int:pk>/", views.record_edit, name="record_edit"),
    path("portal/surveys/", views.portal_list, name="portal_list"),
    path("portal/surveys/<slug:slug>/", views.portal_fill, name="portal_fill"),
]
