from django.urls import path

from alongside.assessments import views

app_name = "assessments"
urlpatterns = [path("<int:pk>/assessments/new/", views.assessment_create, name="create")]
