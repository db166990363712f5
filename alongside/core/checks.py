"""Deployment mistakes as system checks with stable ids."""

from django.conf import settings
from django.core.checks import Error, Warning, register


@register(deploy=True)
def check_deployment(app_configs, **kwargs):
    errors = []
    if len(set(settings.SECRET_KEY)) < 5 or len(settings.SECRET_KEY) < 40:
        errors.append(
            Error(
                "SECRET_KEY is too weak for production.",
                hint="Set SECRET_KEY or SECRET_KEY_FILE to 50 random characters.",
                id="alongside.E001",
            )
        )
    if not settings.DEBUG and settings.DEMO_MODE:
        errors.append(
            Warning(
                "Demo mode is on outside development: demo accounts can be seeded.",
                hint="Unset ALONGSIDE_DEMO in production.",
                id="alongside.W001",
            )
        )
    if settings.LOADTEST_BASELINE:
        errors.append(
            Warning(
                "The load test's one-query page is on: it answers without signing in.",
                hint="Unset ALONGSIDE_LOADTEST_BASELINE outside the load test.",
                id="alongside.W002",
            )
        )
    return errors
