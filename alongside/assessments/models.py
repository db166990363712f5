"""Progress reviews that assign a tier."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Tier(models.IntegerChoices):
    MAKING_PROGRESS = 1, _("Tier 1 · making progress")
    MAINTAINING = 2, _("Tier 2 · maintaining position")
    EXITING = 3, _("Tier 3 · exiting support")


class Assessment(models.Model):
    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="assessments"
    )
    tier = models.PositiveSmallIntegerField(_("tier"), choices=Tier.choices)
    rationale = models.TextField(_("why this tier"), max_length=4000)
    ongoing_plan = models.TextField(_("ongoing plan"), blank=True, max_length=4000)
    assessed_on = models.DateField(_("assessed on"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-assessed_on", "-id"]
        verbose_name = _("assessment")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(tier__in=[1, 2, 3]), name="assessment_tier_valid"
            )
        ]
