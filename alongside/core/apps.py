from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.core.management import call_command
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "alongside.core"
    label = "core"

    def ready(self) -> None:
        from alongside.core import checks  # noqa: F401  (registers system checks)

        post_migrate.connect(_create_cache_table, sender=self)


def _create_cache_table(using: str = "default", **kwargs) -> None:
    """``migrate`` also makes the database cache's table, so an upgrade is one command."""
    call_command("createcachetable", database=using, verbosity=0)


class AlongsideAdminConfig(admin_apps.AdminConfig):
    """Django's admin, behind the same sign-in (second step included) as every page."""

    default = False  # CoreConfig stays this module's default
    default_site = "alongside.core.admin.AlongsideAdminSite"
