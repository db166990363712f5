from django.urls import path

from alongside.plans import views

app_name = "plans"
urlpatterns = [
    path("engagements/<int:pk>/goals/new/", views.goal_create, name="goal_create"),
    path("goals/<int:pk>/", views.goal_detail, name="goal_detail"),
    path("goals/<int:pk>/edit/", views.goal_edit, name="goal_edit"),
    path("goals/<int:pk>/steps/new/", views.step_create, name="step_create"),
    path("goals/<int:pk>/check-ins/new/", views.check_in_create, name="check_in_create"),
    path("action-steps/<int:pk>/edit/", views.step_edit, name="step_edit"),
    path("action-steps/<int:pk>/mark/", views.step_mark, name="step_mark"),
    path("engagements/<int:pk>/plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/sign/<str:role>/", views.plan_sign, name="plan_sign"),
    path("plans/<int:pk>/pdf/", views.plan_pdf, name="plan_pdf"),
    path("portal/goals/", views.portal_goals, name="portal_goals"),
    path("portal/plans/<int:pk>/sign/", views.portal_plan_sign, name="portal_plan_sign"),
    path("portal/plans/<int:pk>/pdf/", views.portal_plan_pdf, name="portal_plan_pdf"),
]
