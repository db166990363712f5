from django.urls import path

from alongside.concerns import views

app_name = "concerns"
urlpatterns = [
    path("", views.concern_list, name="list"),
    path("new/", views.concern_create, name="create"),
    path("mine/", views.concern_mine, name="mine"),
    path("<int:pk>/", views.concern_detail, name="detail"),
    path("<int:pk>/acknowledge/", views.concern_acknowledge, name="acknowledge"),
    path("<int:pk>/assign/", views.concern_assign, name="assign"),
    path("<int:pk>/action/", views.concern_action, name="action"),
    path("<int:pk>/resolve/", views.concern_resolve, name="resolve"),
    path("<int:pk>/inform/", views.concern_inform, name="inform"),
    path("raise/<slug:slug>/", views.public_raise, name="public"),
    path("raise/<slug:slug>/thanks/", views.public_done, name="public_done"),
]
