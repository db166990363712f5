"""The supervision log: sessions a supervisor holds with a peer supporter they supervise.

Private to the two of them. Admins see that a session took place (when, who, how long,
the topics) but never the engagements discussed, the notes or the follow-ups: those are
clinical content (design.md §4), so topics are written without participant names.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from alongside.core.models import Versioned

MAX_SESSION_MINUTES = 600


class SupervisionSession(Versioned):
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="supervision_sessions_held",
        verbose_name=_("supervisor"),
    )
    supporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="supervision_sessions",
        verbose_name=_("peer supporter"),
    )
    held_on = models.DateField(_("date"))
    duration_minutes = models.PositiveSmallIntegerField(_("length (minutes)"), default=60)
    topics = models.CharField(
        _("topics"),
        max_length=500,
        help_text=_("Without participant names: admins see the topics."),
    )
    engagements = models.ManyToManyField(
        "engagements.Engagement",
        blank=True,
        related_name="+",
        verbose_name=_("engagements discussed"),
    )
    notes = models.TextField(_("notes (the two of you only)"), max_length=8000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("supervision session")
        indexes = [
            models.Index(fields=["organization", "supervisor", "held_on"]),
            models.Index(fields=["organization", "supporter", "held_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    duration_minutes__gte=1, duration_minutes__lte=MAX_SESSION_MINUTES
                ),
                name="supervision_session_length_in_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.supporter} · {self.held_on:%Y-%m-%d}"


class FollowUp(models.Model):
    """Something to do after a session: what, by when, and whether it is done."""

    session = models.ForeignKey(
        SupervisionSession, on_delete=models.CASCADE, related_name="follow_ups"
    )
    text = models.CharField(_("follow-up"), max_length=300)
    due_on = models.DateField(_("by when"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("follow-up")

    def __str__(self) -> str:
        return self.text[:80]
