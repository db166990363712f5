from django.urls import path

from alongside.matching import views

app_name = "matching"
urlpatterns = [
    path("referrals/<int:pk>/match/", views.suggest, name="suggest"),
    path("referrals/<int:pk>/declined/", views.participant_declined, name="declined"),
    path("referrals/<int:pk>/conflict/", views.conflict_declared, name="conflict"),
    path("referrals/batch/", views.batch_propose, name="batch_propose"),
    path("referrals/batch/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("engagements/<int:pk>/supporter/", views.change_supporter, name="change_supporter"),
]
