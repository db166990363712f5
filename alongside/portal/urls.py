from django.urls import path

from alongside.participants import views as participants_views
from alongside.portal import views
from alongside.records import views as records_views

app_name = "portal"
urlpatterns = [
    path("", views.portal_home, name="home"),
    path("emergency-plan/", views.emergency_plan, name="emergency_plan"),
    path("emergency-plan/edit/", views.emergency_plan_edit, name="emergency_plan_edit"),
    path("details/", participants_views.portal_details, name="details"),
    path("record/", records_views.portal_record, name="record"),
    path("record/<str:fmt>/", records_views.portal_download, name="record_download"),
    path("access-history/", views.access_history, name="access_history"),
    path("goals/<int:pk>/check-in/", views.goal_check_in, name="goal_check_in"),
]
