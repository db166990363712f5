"""Users, their roles and supporter profiles, managed by organization admins."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from alongside.accounts.models import Membership, PeerSupporterProfile, User
from alongside.core.admin import (
    OrganizationScopedAdmin,
    OrganizationScopedInline,
    admin_organization_ids,
)


class MembershipInline(OrganizationScopedInline):
    model = Membership
    fields = ["organization", "role", "programs"]
    filter_horizontal = ["programs"]

    def get_queryset(self, request):
        ids = admin_organization_ids(request.user)
        queryset = super().get_queryset(request)
        return queryset if ids is None else queryset.filter(organization_id__in=ids)


@admin.register(User)
class UserAdmin(OrganizationScopedAdmin, DjangoUserAdmin):
    organization_path = "memberships__organization"
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "last_name", "is_active", "last_login"]
    list_filter = ["is_active", "memberships__role"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Person", {"fields": ("first_name", "last_name", "email", "preferred_language")}),
        ("Status", {"fields": ("is_active", "is_staff", "last_login", "date_joined")}),
    )
    readonly_fields = ["last_login", "date_joined"]


@admin.register(PeerSupporterProfile)
class PeerSupporterProfileAdmin(OrganizationScopedAdmin):
    list_display = ["user", "organization", "capacity", "supervisor", "accepting"]
    list_filter = ["organization", "accepting"]
    filter_horizontal = ["programs"]
    autocomplete_fields = ["user", "supervisor"]
