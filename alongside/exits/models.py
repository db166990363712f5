"""How an engagement ended."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class ExitReason(models.TextChoices):
    GOALS_MET = "goals_met", _("Goals met")
    PARTICIPANT_CHOICE = "participant_choice", _("Participant's choice")
    MOVED = "moved", _("Moved away")
    HOSPITALIZED = "hospitalized", _("Hospitalized")
    LOST_CONTACT = "lost_contact", _("Lost contact")
    OTHER = "other", _("Other")


class Exit(models.Model):
    engagement = models.OneToOneField(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="exit"
    )
    reason = models.CharField(_("reason"), max_length=30, choices=ExitReason.choices)
    note = models.TextField(_("how the ending went"), blank=True, max_length=4000)
    started_at = models.DateTimeField()
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("exit")
