from django.contrib import admin

from alongside.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Lets an administrator see and revoke (delete) tokens; the raw value is never stored."""

    list_display = ["user", "created_at", "last_used_at"]
    search_fields = ["user__username"]
    readonly_fields = ["user", "hashed_key", "created_at", "last_used_at"]

    def has_add_permission(self, request) -> bool:
        return False
