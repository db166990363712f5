from django.contrib import admin

from alongside.core.admin import OrganizationScopedAdmin
from alongside.organizations.models import Organization, Program


@admin.register(Organization)
class OrganizationAdmin(OrganizationScopedAdmin):
    organization_path = "pk"
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def has_add_permission(self, request) -> bool:
        return request.user.is_superuser


@admin.register(Program)
class ProgramAdmin(OrganizationScopedAdmin):
    list_display = [
        "name",
        "organization",
        "duration_guideline_days",
        "assessment_interval_months",
        "is_active",
    ]
    list_filter = ["organization", "is_active"]
    filter_horizontal = ["required_agreements"]
