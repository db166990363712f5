from django.urls import path

from alongside.engagements import views

app_name = "engagements"
urlpatterns = [
    path("", views.engagement_list, name="list"),
    path("<int:pk>/", views.engagement_detail, name="detail"),
    path("<int:pk>/timeline/", views.engagement_timeline, name="timeline"),
    path("<int:pk>/transition/", views.engagement_transition, name="transition"),
    path("<int:pk>/onboarding/", views.onboarding_step, name="onboarding_step"),
    path("<int:pk>/extend/", views.guideline_extend, name="extend"),
]
