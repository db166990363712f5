from django.contrib import admin

from alongside.api.models import ApiToken
from alongside.api.services import api_token_revoke


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Lets an administrator see and revoke (delete) tokens; the raw value is never stored."""

    list_display = ["user", "name", "scope_list", "created_at", "last_used_at", "expires_at"]
    search_fields = ["user__username", "name"]
    readonly_fields = [
        "user",
        "name",
        "hashed_key",
        "scopes",
        "created_at",
        "last_used_at",
        "expires_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False

    # Deleting here is revoking: it leaves the same audit event as the page and the API.
    def delete_model(self, request, obj: ApiToken) -> None:
        api_token_revoke(token=obj, actor=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for token in queryset:
            api_token_revoke(token=token, actor=request.user)
