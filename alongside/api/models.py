"""API tokens: only a SHA-256 hash of each is kept, so a database leak yields no usable token.

A token carries scopes, so one handed to a script that only reads cannot change or export
records, and may expire, so a forgotten one stops working on its own.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    READ = "read", _("Read (GET)")
    WRITE = "write", _("Write (create, change, transition)")
    EXPORT = "export", _("Export (FHIR records and reports)")


def default_scopes() -> list[str]:
    """What a token could do before scopes existed: read and write, not export."""
    return [Scope.READ.value, Scope.WRITE.value]


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    hashed_key = models.CharField(_("SHA-256 of the token"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100, blank=True, help_text=_("What it is for."))
    scopes = models.JSONField(_("scopes"), default=default_scopes)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(
        _("expires"), null=True, blank=True, help_text=_("Empty: never.")
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")

    def __str__(self) -> str:
        return f"{self.user} · {self.name or self.hashed_key[:8] + '…'}"

    def allows(self, scope: str) -> bool:
        return scope in self.scopes

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def scope_list(self) -> str:
        """The scopes in their canonical order, for messages and pages: "read, write"."""
        return ", ".join(s for s in Scope.values if s in self.scopes)
