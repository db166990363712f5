from django.contrib.auth import views as auth_views
from django.urls import path

from alongside.accounts import security_views, views

app_name = "accounts"
urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("login/code/", security_views.second_factor_verify, name="second_factor_verify"),
    path("two-step/set-up/", security_views.second_factor_setup, name="second_factor_setup"),
    path("two-step/off/", security_views.second_factor_turn_off, name="second_factor_off"),
    path(
        "two-step/recovery-codes/",
        security_views.recovery_codes_renew,
        name="recovery_codes_renew",
    ),
    path("security/", security_views.security, name="security"),
    path("security/sign-out-others/", security_views.sessions_end_others, name="sessions_end"),
    path("session/keep-alive/", security_views.keep_alive, name="keep_alive"),
    path("password/", security_views.PasswordChange.as_view(), name="password"),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_done.html"),
        name="password_done",
    ),
    path("organization/", views.organization_switch, name="organization"),
    path("profile/", views.supporter_profile, name="profile"),
]
