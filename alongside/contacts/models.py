"""The contact log: every contact with a participant, meetings or not, and call-backs.

A contact may carry a call-back request (when the participant asked to be called back);
marking it returned records when, so time-to-return can be shown ("return calls
promptly").
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone call")
    TEXT = "text", _("Text message")
    EMAIL = "email", _("Email")
    IN_PERSON = "in_person", _("In person")
    VIDEO = "video", _("Video call")
    OTHER = "other", _("Other")


class Initiator(models.TextChoices):
    PARTICIPANT = "participant", _("The participant")
    SUPPORTER = "supporter", _("The peer supporter")
    OTHER = "other", _("Someone else")


class Contact(models.Model):
    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="contacts"
    )
    occurred_at = models.DateTimeField(_("when"))
    channel = models.CharField(_("how"), max_length=20, choices=Channel.choices)
    initiated_by = models.CharField(_("who reached out"), max_length=20, choices=Initiator.choices)
    note = models.CharField(_("note (staff only)"), max_length=500, blank=True)
    callback_requested_at = models.DateTimeField(
        _("call-back asked for at"), null=True, blank=True
    )
    callback_returned_at = models.DateTimeField(_("call-back returned at"), null=True, blank=True)
    callback_returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("contact")
        indexes = [
            models.Index(fields=["engagement", "occurred_at"]),
            models.Index(fields=["engagement", "callback_returned_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(callback_returned_at__isnull=True)
                | models.Q(
                    callback_requested_at__isnull=False,
                    callback_returned_at__gte=models.F("callback_requested_at"),
                ),
                name="contact_callback_returned_after_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {self.occurred_at:%Y-%m-%d %H:%M}"

    @property
    def callback_open(self) -> bool:
        return self.callback_requested_at is not None and self.callback_returned_at is None
