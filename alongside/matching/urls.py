from django.urls import path

from alongside.matching import views

app_name = "matching"
urlpatterns = [path("<int:pk>/match/", views.suggest, name="suggest")]
