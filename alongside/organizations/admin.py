from django.contrib import admin

from alongside.agreements.admin import DocumentRequirementInline
from alongside.core.admin import OrganizationScopedAdmin, OrganizationScopedInline
from alongside.matching.models import MatchingWeights
from alongside.organizations.models import Organization, Program, Site


@admin.register(Organization)
class OrganizationAdmin(OrganizationScopedAdmin):
    organization_path = "pk"
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def has_add_permission(self, request) -> bool:
        return request.user.is_superuser


class MatchingWeightsInline(OrganizationScopedInline):
    model = MatchingWeights
    can_delete = False
    extra = 1
    max_num = 1


@admin.register(Program)
class ProgramAdmin(OrganizationScopedAdmin):
    inlines = [DocumentRequirementInline, MatchingWeightsInline]
    list_display = [
        "name",
        "organization",
        "duration_guideline_days",
        "assessment_interval_months",
        "is_active",
    ]
    list_filter = ["organization", "is_active"]


@admin.register(Site)
class SiteAdmin(OrganizationScopedAdmin):
    list_display = ["name", "organization"]
    list_filter = ["organization"]
    search_fields = ["name"]
