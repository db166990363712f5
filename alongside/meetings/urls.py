from django.urls import path

from alongside.meetings import views

app_name = "meetings"
# Included under engagements/ (alongside/urls.py).
urlpatterns = [
    path("<int:pk>/meetings/new/", views.meeting_create, name="create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="detail"),
    path("meetings/<int:pk>/move/", views.meeting_reschedule, name="reschedule"),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel, name="cancel"),
    path("meetings/<int:pk>/outcome/", views.meeting_outcome, name="outcome"),
    path("meetings/week/", views.meeting_week, name="week"),
    path("meetings/day/", views.meeting_day, name="day"),
    path("meetings/calendar/", views.calendar_feed_page, name="calendar"),
    path("meetings/calendar/new/", views.calendar_feed_new, name="calendar_new"),
    path("meetings/calendar/revoke/", views.calendar_feed_revoke, name="calendar_revoke"),
    path("meetings/calendar/<str:token>.ics", views.calendar_feed_ics, name="feed"),
]
