"""Referral pages. Mounted at the site root: staff pages under referrals/, the public
page under refer/ (a short address to print on a flyer)."""

from django.urls import path

from alongside.referrals import views

app_name = "referrals"
urlpatterns = [
    path("referrals/", views.referral_list, name="list"),
    path("referrals/new/", views.referral_create, name="create"),
    path("referrals/waitlist/", views.waitlist, name="waitlist"),
    path("referrals/<int:pk>/", views.referral_detail, name="detail"),
    path("refer/<slug:slug>/", views.public_referral, name="public"),
    path("refer/<slug:slug>/thanks/", views.public_done, name="public_done"),
]
