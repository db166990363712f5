"""Participant-centered goals."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from alongside.core.models import Versioned


class WellnessDimension(models.TextChoices):
    """SAMHSA's eight dimensions of wellness."""

    EMOTIONAL = "emotional", _("Emotional")
    ENVIRONMENTAL = "environmental", _("Environmental")
    FINANCIAL = "financial", _("Financial")
    INTELLECTUAL = "intellectual", _("Intellectual")
    OCCUPATIONAL = "occupational", _("Occupational")
    PHYSICAL = "physical", _("Physical")
    SOCIAL = "social", _("Social")
    SPIRITUAL = "spiritual", _("Spiritual")


class GoalStatus(models.TextChoices):
    ACTIVE = "active", _("Working on it")
    ACHIEVED = "achieved", _("Achieved")
    SET_ASIDE = "set_aside", _("Set aside")


class Goal(Versioned):
    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="goals"
    )
    statement = models.TextField(_("goal, in the participant's own words"), max_length=2000)
    wellness_dimension = models.CharField(
        _("wellness dimension"), max_length=20, choices=WellnessDimension.choices
    )
    measure = models.CharField(_("how we will know"), max_length=400, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=GoalStatus.choices, default=GoalStatus.ACTIVE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("goal")

    def __str__(self) -> str:
        return self.statement[:80]
