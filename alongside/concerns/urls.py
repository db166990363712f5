from django.urls import path

from alongside.concerns import views

app_name = "concerns"
urlpatterns = [
    path("", views.concern_list, name="list"),
    path("new/", views.concern_create, name="create"),
    path("<int:pk>/", views.concern_detail, name="detail"),
]
