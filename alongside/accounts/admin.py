"""Users, their roles and supporter profiles, managed by organization admins."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from alongside.accounts.models import (
    AvailabilityWindow,
    ExperienceArea,
    Membership,
    PeerSupporterProfile,
    Role,
    User,
)
from alongside.core.admin import (
    OrganizationScopedAdmin,
    OrganizationScopedInline,
    admin_organization_ids,
)


class MembershipInline(OrganizationScopedInline):
    model = Membership
    fields = ["organization", "role", "programs"]
    filter_horizontal = ["programs"]

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        # Participants get their sign-in from their team, inside the application.
        if db_field.name == "role" and not request.user.is_superuser:
            kwargs["choices"] = [c for c in Role.choices if c[0] != Role.PARTICIPANT]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

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

    def get_queryset(self, request):
        # That someone is a participant is itself confidential: admins manage staff only.
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        staff = Membership.objects.filter(
            organization_id__in=admin_organization_ids(request.user),
        ).exclude(role=Role.PARTICIPANT)
        return queryset.filter(pk__in=staff.values("user_id"))


class AvailabilityInline(OrganizationScopedInline):
    model = AvailabilityWindow
    fields = ["weekday", "starts", "ends"]


@admin.register(ExperienceArea)
class ExperienceAreaAdmin(OrganizationScopedAdmin):
    list_display = ["label", "code", "organization"]
    prepopulated_fields = {"code": ["label"]}


@admin.register(PeerSupporterProfile)
class PeerSupporterProfileAdmin(OrganizationScopedAdmin):
    inlines = [AvailabilityInline]
    list_display = ["user", "organization", "capacity", "supervisor", "accepting"]
    list_filter = ["organization", "accepting"]
    filter_horizontal = ["programs"]
    autocomplete_fields = ["user", "supervisor"]
