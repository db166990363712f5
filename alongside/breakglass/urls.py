from django.urls import path

from alongside.breakglass import views

app_name = "breakglass"
urlpatterns = [
    path("", views.access_request, name="request"),
    path("<int:pk>/", views.access_detail, name="detail"),
    path("reviews/", views.review_list, name="reviews"),
    path("reviews/<int:pk>/", views.review, name="review"),
]
