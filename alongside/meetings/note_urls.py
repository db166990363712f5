"""A meeting's note, by the meeting's id (a meeting has at most one note)."""

from django.urls import path

from alongside.meetings import note_views

app_name = "notes"
urlpatterns = [
    path("meetings/<int:pk>/note/", note_views.note_detail, name="detail"),
    path("meetings/<int:pk>/note/write/", note_views.note_write, name="write"),
    path("meetings/<int:pk>/note/finalize/", note_views.note_finalize, name="finalize"),
    path("meetings/<int:pk>/note/addendum/", note_views.note_addendum, name="addendum"),
]
