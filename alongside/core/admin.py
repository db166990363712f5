"""Django admin for organization admins: configuration only, within their organizations."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse

from alongside.accounts.models import Membership, Role
from alongside.accounts.second_factor import session_verified


def admin_organization_ids(user) -> list[int] | None:
    """Organizations this user administers; None means all (a superuser)."""
    if user.is_superuser:
        return None
    cache = user.__dict__.setdefault("_alongside_admin_orgs", None)
    if cache is None:
        cache = list(
            Membership.objects.filter(user=user, role=Role.ADMIN).values_list(
                "organization_id", flat=True
            )
        )
        user.__dict__["_alongside_admin_orgs"] = cache
    return cache


def is_organization_admin(user) -> bool:
    """Whether the Django admin is open to this user: staff who administer an organization."""
    return (
        user.is_active
        and user.is_staff
        and (user.is_superuser or bool(admin_organization_ids(user)))
    )


class AlongsideAdminSite(admin.AdminSite):
    """Signing in happens on the application's own pages (password, then the second
    step); the admin opens only to a session that finished both."""

    def has_permission(self, request) -> bool:
        return super().has_permission(request) and session_verified(request.user)

    def login(self, request, extra_context=None):
        next_url = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': next_url})}")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows nobody adds, changes or deletes here; subclasses say who may read them
    (``has_module_permission``)."""

    class Media:
        css = {"all": ["core/admin.css"]}

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class OrganizationChoices:
    """Choices in forms limited to the admin's organizations."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        ids = admin_organization_ids(request.user)
        model = db_field.related_model
        if ids is not None:
            if model._meta.label == "organizations.Organization":
                kwargs["queryset"] = model.objects.filter(pk__in=ids)
            elif hasattr(model, "organization"):
                kwargs["queryset"] = model.objects.filter(organization_id__in=ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        ids = admin_organization_ids(request.user)
        model = db_field.related_model
        if ids is not None and hasattr(model, "organization"):
            kwargs["queryset"] = model.objects.filter(organization_id__in=ids)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class OrganizationScopedAdmin(OrganizationChoices, admin.ModelAdmin):
    """Only organization admins reach it, and only their organizations' rows."""

    organization_path = "organization"

    class Media:
        css = {"all": ["core/admin.css"]}

    def _is_org_admin(self, request) -> bool:
        return is_organization_admin(request.user)

    def has_module_permission(self, request) -> bool:
        return self._is_org_admin(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._is_org_admin(request)

    def has_add_permission(self, request) -> bool:
        return self._is_org_admin(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._is_org_admin(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        ids = admin_organization_ids(request.user)
        if ids is None:
            return queryset
        return queryset.filter(**{f"{self.organization_path}__in": ids}).distinct()


class OrganizationScopedInline(OrganizationChoices, admin.StackedInline):
    """Stacked, not tabular: every field keeps its own label (screen readers, phones)."""

    extra = 0

    def _is_org_admin(self, request) -> bool:
        return is_organization_admin(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._is_org_admin(request)

    def has_add_permission(self, request, obj=None) -> bool:
        return self._is_org_admin(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._is_org_admin(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._is_org_admin(request)
