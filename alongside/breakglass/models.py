"""Emergency ("break the glass") access: a coordinator opens one participant's record
outside their scope, with a stated reason, for a limited time; admins review each one."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from alongside.audit.models import AppendOnlyModel

# What each access-log row written under a grant starts with; the participant reads it in
# their access history.
LOG_REASON_PREFIX = "Emergency access: "


class EmergencyAccess(AppendOnlyModel):
    """One grant: who opened whose record, why, from when until when. Never changed or
    deleted (append-only): it is the record that the glass was broken."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="+"
    )
    grantee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("opened by"),
    )
    participant = models.ForeignKey(
        "participants.Participant",
        on_delete=models.PROTECT,
        related_name="emergency_accesses",
        verbose_name=_("participant"),
    )
    reason = models.TextField(_("reason"))
    # The reason as each access-log row carries it (the log's column holds 200 characters).
    log_reason = models.CharField(max_length=200, editable=False)
    granted_at = models.DateTimeField(_("opened at"))
    expires_at = models.DateTimeField(_("until"))

    class Meta:
        ordering = ["-granted_at", "-id"]
        verbose_name = _("emergency access")
        verbose_name_plural = _("emergency accesses")
        indexes = [
            models.Index(fields=["grantee", "expires_at"], name="emergency_grantee_expires"),
            models.Index(fields=["organization", "granted_at"], name="emergency_org_granted"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("granted_at")), name="emergency_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.grantee} → {self.participant} ({self.granted_at:%Y-%m-%d %H:%M})"

    def is_active(self, now) -> bool:
        return self.granted_at <= now < self.expires_at


class EmergencyAccessReview(AppendOnlyModel):
    """An admin's review of one grant, with their comment; one per grant, never changed."""

    access = models.OneToOneField(EmergencyAccess, on_delete=models.PROTECT, related_name="review")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    comment = models.TextField(_("comment"))
    reviewed_at = models.DateTimeField(_("reviewed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("emergency access review")
        verbose_name_plural = _("emergency access reviews")

    def __str__(self) -> str:
        return f"{self.reviewer} ({self.reviewed_at:%Y-%m-%d})"
