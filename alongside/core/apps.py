from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    name = "alongside.core"
    label = "core"

    def ready(self) -> None:
        from alongside.core import checks  # noqa: F401  (registers system checks)


class AlongsideAdminConfig(admin_apps.AdminConfig):
    """Django's admin, behind the same sign-in (second step included) as every page."""

    default = False  # CoreConfig stays this module's default
    default_site = "alongside.core.admin.AlongsideAdminSite"
