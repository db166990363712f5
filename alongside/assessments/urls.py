from django.urls import path

from alongside.assessments import views

app_name = "assessments"
urlpatterns = [
    path("<int:pk>/assessments/new/", views.assessment_create, name="create"),
    path("<int:pk>/goal-reviews/new/", views.goal_review_create, name="goal_review_create"),
    path("assessments/<int:pk>/", views.assessment_detail, name="detail"),
    path("assessments/<int:pk>/edit/", views.assessment_edit, name="edit"),
    path("assessments/<int:pk>/sign/<str:role>/", views.assessment_sign, name="sign"),
    path("assessments/<int:pk>/pdf/", views.assessment_pdf, name="pdf"),
    path("portal/assessments/", views.portal_assessments, name="portal_list"),
    path("portal/assessments/<int:pk>/sign/", views.portal_sign, name="portal_sign"),
    path("portal/assessments/<int:pk>/pdf/", views.portal_pdf, name="portal_pdf"),
]
