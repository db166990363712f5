from django.contrib import admin

from alongside.agreements.models import AgreementKind
from alongside.core.admin import OrganizationScopedAdmin


@admin.register(AgreementKind)
class AgreementKindAdmin(OrganizationScopedAdmin):
    list_display = ["name", "organization"]
    list_filter = ["organization"]
