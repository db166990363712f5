"""The team plan worksheet: how the team keeps in touch, and the boundaries both agree on."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from alongside.accounts.models import LANGUAGE_CHOICES
from alongside.core.models import Versioned

REVIEW_INTERVAL_MONTHS = 12


class Channel(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone call")
    TEXT = "text", _("Text message")
    VIDEO = "video", _("Video call")
    EMAIL = "email", _("Email")


class TeamPlanWorksheet(Versioned):
    engagement = models.OneToOneField(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="team_plan"
    )
    channels = models.JSONField(_("ways to keep in touch"), default=list)
    days_and_hours = models.CharField(_("days and hours that suit"), max_length=200, blank=True)
    frequency = models.CharField(_("how often"), max_length=120, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=LANGUAGE_CHOICES, default="en"
    )
    messages_ok = models.BooleanField(_("messages may be left"), default=False)
    # The agreed hours, as data: reminders wait for them, and contacts outside them show
    # as a prompt for reflection. Weekdays 0 (Monday) to 6; empty times mean any time.
    contact_days = models.JSONField(_("days that suit"), default=list, blank=True)
    contact_from = models.TimeField(_("from"), null=True, blank=True)
    contact_until = models.TimeField(_("until"), null=True, blank=True)
    reminders_ok = models.BooleanField(_("meeting reminders are welcome"), default=True)
    boundaries = models.TextField(_("boundaries we both agree on"), max_length=4000, blank=True)
    reviewed_on = models.DateField(_("last reviewed"))
    review_due_on = models.DateField(_("next review due"), db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = _("team plan worksheet")

    def __str__(self) -> str:
        return f"{self.engagement} · {self._meta.verbose_name}"

    @property
    def boundary_list(self) -> list[str]:
        return [
            line.strip(" -•\t") for line in self.boundaries.splitlines() if line.strip(" -•\t")
        ]

    def day_labels(self) -> list[str]:
        import calendar

        return [str(_(calendar.day_abbr[day])) for day in self.contact_days if 0 <= day <= 6]

    def channel_labels(self) -> list[str]:
        return [str(Channel(c).label) for c in self.channels if c in Channel.values]
