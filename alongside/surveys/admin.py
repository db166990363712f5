"""Instruments in the admin: to read only; they are installed from definition files."""

from __future__ import annotations

import json

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from alongside.core.admin import admin_organization_ids
from alongside.surveys.models import Instrument, InstrumentVersion


class ReadOnlyAdmin(admin.ModelAdmin):
    """Organization admins read instruments (shared by every organization); nobody edits."""

    def has_module_permission(self, request) -> bool:
        user = request.user
        return (
            user.is_active
            and user.is_staff
            and (user.is_superuser or bool(admin_organization_ids(user)))
        )

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Instrument)
class InstrumentAdmin(ReadOnlyAdmin):
    list_display = ["title", "slug", "current", "in_use"]
    list_select_related = ["current"]


@admin.register(InstrumentVersion)
class InstrumentVersionAdmin(ReadOnlyAdmin):
    list_display = ["instrument", "number", "installed_at", "retired"]
    list_select_related = ["instrument"]
    list_filter = ["instrument"]
    fields = ["instrument", "number", "installed_at", "retired", "sha256", "definition_shown"]
    readonly_fields = fields

    @admin.display(description=_("definition"))
    def definition_shown(self, obj: InstrumentVersion) -> str:
        return format_html(
            "<pre>{}</pre>", json.dumps(obj.definition, indent=2, ensure_ascii=False)
        )
