"""Audit events and the access log in the Django admin: read-only, superusers only."""

from django.contrib import admin

from alongside.audit.models import AccessLog, AuditEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """Append-only logs: nobody adds, changes or deletes rows here."""

    # They span organizations and name participants, so organization admins do not see them.
    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "object_type", "object_id", "actor", "organization"]
    list_filter = ["action"]
    list_select_related = ["actor", "organization"]


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "method", "path", "what", "seq"]
    list_select_related = ["actor"]
