"""Audit events and the access log in the Django admin: read-only, superusers only."""

from django.contrib import admin

from alongside.audit.models import AccessLog, AuditEvent
from alongside.core.admin import ReadOnlyAdmin


class SuperuserReadOnlyAdmin(ReadOnlyAdmin):
    """Append-only logs. They span organizations and name participants, so organization
    admins do not see them."""

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser


@admin.register(AuditEvent)
class AuditEventAdmin(SuperuserReadOnlyAdmin):
    list_display = ["at", "action", "object_type", "object_id", "actor", "organization"]
    list_filter = ["action"]
    list_select_related = ["actor", "organization"]


@admin.register(AccessLog)
class AccessLogAdmin(SuperuserReadOnlyAdmin):
    list_display = ["at", "actor", "method", "path", "what", "seq"]
    list_select_related = ["actor"]
