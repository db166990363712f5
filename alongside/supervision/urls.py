from django.urls import path

from alongside.supervision import views

app_name = "supervision"
urlpatterns = [
    path("", views.session_list, name="list"),
    path("supporters/<int:pk>/", views.supporter_page, name="supporter"),
    path("supporters/<int:pk>/new/", views.session_create, name="create"),
    path("<int:pk>/", views.session_detail, name="detail"),
    path("<int:pk>/edit/", views.session_edit, name="edit"),
    path("<int:pk>/follow-ups/", views.follow_up_add, name="follow_up_add"),
    path("follow-ups/<int:pk>/done/", views.follow_up_done, name="follow_up_done"),
]
