"""Instruments in the admin: to read only; they are installed from definition files."""

from __future__ import annotations

import json

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from alongside.core.admin import ReadOnlyAdmin, is_organization_admin
from alongside.surveys.models import Instrument, InstrumentVersion


class OrganizationReadOnlyAdmin(ReadOnlyAdmin):
    """Organization admins read instruments (shared by every organization); nobody edits."""

    def has_module_permission(self, request) -> bool:
        return is_organization_admin(request.user)


@admin.register(Instrument)
class InstrumentAdmin(OrganizationReadOnlyAdmin):
    list_display = ["title", "slug", "current", "in_use"]
    list_select_related = ["current"]


@admin.register(InstrumentVersion)
class InstrumentVersionAdmin(OrganizationReadOnlyAdmin):
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
