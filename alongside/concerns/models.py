"""Cause-for-concern reports and how they were handled."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Category(models.TextChoices):
    BOUNDARIES = "boundaries", _("Boundaries")
    SAFETY = "safety", _("Safety")
    SERVICE = "service", _("Quality of service")
    PRIVACY = "privacy", _("Privacy")
    DISCRIMINATION = "discrimination", _("Discrimination")
    OTHER = "other", _("Something else")


class ConcernUrgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")


class ConcernStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_REVIEW = "in_review", _("Being looked into")
    RESOLVED = "resolved", _("Resolved")


class Concern(models.Model):
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="concerns"
    )
    engagement = models.ForeignKey(
        "engagements.Engagement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="concerns",
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    category = models.CharField(_("what it is about"), max_length=20, choices=Category.choices)
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=ConcernUrgency.choices, default=ConcernUrgency.NORMAL
    )
    description = models.TextField(_("what happened"), max_length=8000)
    status = models.CharField(
        _("status"), max_length=20, choices=ConcernStatus.choices, default=ConcernStatus.OPEN
    )
    resolution = models.TextField(_("actions and resolution"), blank=True, max_length=8000)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("concern")
        indexes = [models.Index(fields=["organization", "status"])]
