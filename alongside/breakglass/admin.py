"""Emergency accesses in the Django admin: read-only, for the organization's admins (the
review itself is a page: breakglass:reviews)."""

from django.contrib import admin

from alongside.breakglass.models import EmergencyAccess, EmergencyAccessReview
from alongside.core.admin import ReadOnlyAdmin, admin_organization_ids, is_organization_admin


class _OrganizationReadOnlyAdmin(ReadOnlyAdmin):
    """Nobody adds, changes or deletes a grant or a review; admins read their own
    organizations' rows."""

    organization_path = "organization"

    def has_module_permission(self, request) -> bool:
        return is_organization_admin(request.user)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        ids = admin_organization_ids(request.user)
        if ids is None:
            return queryset
        return queryset.filter(**{f"{self.organization_path}__in": ids})


@admin.register(EmergencyAccess)
class EmergencyAccessAdmin(_OrganizationReadOnlyAdmin):
    list_display = ["granted_at", "grantee", "participant", "expires_at", "organization"]
    list_select_related = ["grantee", "participant", "organization"]
    exclude = ["log_reason"]


@admin.register(EmergencyAccessReview)
class EmergencyAccessReviewAdmin(_OrganizationReadOnlyAdmin):
    organization_path = "access__organization"
    list_display = ["reviewed_at", "reviewer", "access"]
    list_select_related = ["reviewer", "access__grantee", "access__participant"]
