"""Users, their roles and supporter profiles, managed by organization admins."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from alongside.accounts.lockout import paused_attempts, sign_in_unlock
from alongside.accounts.models import (
    AvailabilityWindow,
    ExperienceArea,
    Membership,
    PeerSupporterProfile,
    Role,
    User,
)
from alongside.accounts.second_factor import second_factor_reset
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
    list_display = [
        "username",
        "first_name",
        "last_name",
        "is_active",
        "last_login",
        "sign_in_paused",
        "two_step",
    ]
    list_filter = ["is_active", "memberships__role"]
    actions = ["unlock_sign_in", "reset_second_factor"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Person", {"fields": ("first_name", "last_name", "email", "preferred_language")}),
        ("Status", {"fields": ("is_active", "is_staff", "last_login", "date_joined")}),
    )
    readonly_fields = ["last_login", "date_joined"]

    @admin.display(boolean=True, description=_("Sign-in paused"))
    def sign_in_paused(self, user) -> bool:
        return user.sign_in_paused

    @admin.display(boolean=True, description=_("Two-step sign-in"))
    def two_step(self, user) -> bool:
        return user.two_step

    @admin.action(description=_("Unlock sign-in for the selected people"))
    def unlock_sign_in(self, request, queryset):
        for user in queryset:
            sign_in_unlock(user, actor=request.user)
        self.message_user(request, _("Sign-in unlocked for %(n)s people.") % {"n": len(queryset)})

    @admin.action(description=_("Reset two-step sign-in (lost phone) for the selected people"))
    def reset_second_factor(self, request, queryset):
        for user in queryset:
            second_factor_reset(user, actor=request.user)
        self.message_user(
            request,
            _(
                "Two-step sign-in reset for %(n)s people: they are signed out and set up a new "
                "app at their next sign-in."
            )
            % {"n": len(queryset)},
        )

    def get_queryset(self, request):
        # That someone is a participant is itself confidential: admins manage staff only.
        queryset = (
            super()
            .get_queryset(request)
            .annotate(
                two_step=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
                sign_in_paused=Exists(paused_attempts().filter(username=OuterRef("username"))),
            )
        )
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


# django-otp's own admin pages would show people's secret keys and recovery codes; resets
# go through the action above instead.
for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
