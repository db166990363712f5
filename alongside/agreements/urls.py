from django.urls import path

from alongside.agreements import views

app_name = "agreements"
urlpatterns = [path("<int:pk>/agreements/", views.agreement_record, name="record")]
