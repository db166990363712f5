from django.urls import path

from alongside.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report_index, name="index"),
    path("meetings.csv", views.meetings_download, name="meetings_csv"),
    path("meetings/build/", views.meetings_build, name="meetings_build"),
    path("saved/", views.saved_list, name="saved"),
    path("saved/<int:pk>/build/", views.saved_build, name="saved_build"),
    path("saved/<int:pk>/delete/", views.saved_delete, name="saved_delete"),
    path("builds/<int:pk>/", views.build_download, name="build_download"),
    path("<slug:name>/", views.report_page, name="report"),
    path("<slug:name>/save/", views.report_save, name="save"),
    path("<slug:name>.<str:fmt>", views.report_download, name="download"),
]
