"""The pages for managing one's own API tokens, mounted at /accounts/api-tokens/."""

from django.urls import path

from alongside.api import views

app_name = "api_tokens"
urlpatterns = [
    path("", views.token_list, name="list"),
    path("new/", views.token_create, name="create"),
    path("<int:pk>/revoke/", views.token_revoke, name="revoke"),
]
