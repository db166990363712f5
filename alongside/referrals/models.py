"""Requests for support, before a match."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from alongside.accounts.models import (
    LANGUAGE_CHOICES,
    Gender,
    LivedExperience,
    TimeOfWeek,
    validate_times_of_week,
)


class Source(models.TextChoices):
    SELF = "self", _("Self")
    HOSPITAL = "hospital", _("Hospital")
    CLINIC = "clinic", _("Clinic")
    COURT = "court", _("Court")
    FAMILY = "family", _("Family or friend")
    COMMUNITY = "community", _("Community organization")
    OTHER = "other", _("Other")


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    SOON = "soon", _("Soon (within a week)")
    URGENT = "urgent", _("Urgent (within two days)")


class ContactChannel(models.TextChoices):
    PHONE = "phone", _("Phone call")
    TEXT = "text", _("Text message")
    EMAIL = "email", _("Email")
    IN_PERSON = "in_person", _("In person")


class Channel(models.TextChoices):
    STAFF = "staff", _("Recorded by staff")
    PUBLIC = "public", _("Referral page")
    API = "api", _("API")


class Status(models.TextChoices):
    NEW = "new", _("Waiting for screening")
    ACCEPTED = "accepted", _("Accepted, waiting for a match")
    WAITLISTED = "waitlisted", _("Waitlisted")
    DECLINED = "declined", _("Declined")
    MATCHED = "matched", _("Matched")


OPEN_STATUSES = [Status.NEW, Status.ACCEPTED, Status.WAITLISTED]


class Referral(models.Model):
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="referrals"
    )
    program = models.ForeignKey(
        "organizations.Program", on_delete=models.PROTECT, related_name="referrals"
    )
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="referrals"
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    source_detail = models.CharField(_("referred by"), max_length=200, blank=True)
    needs = models.TextField(_("what support is wanted"), max_length=4000)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=LANGUAGE_CHOICES, default="en"
    )
    language_required = models.BooleanField(
        _("only a supporter who speaks this language"), default=False
    )
    supporter_gender_preference = models.CharField(
        _("supporter gender preference"), max_length=20, choices=Gender.choices, blank=True
    )
    gender_required = models.BooleanField(_("the gender preference is a must"), default=False)
    meeting_place = models.CharField(
        _("where they would like to meet"),
        max_length=200,
        blank=True,
        help_text=_("A town or neighborhood; leave empty if phone or video is fine."),
    )
    remote_ok = models.BooleanField(_("phone or video is fine"), default=True)
    # TimeOfWeek codes; none: any time suits them.
    preferred_times = models.JSONField(
        _("good times to meet"), default=list, blank=True, validators=[validate_times_of_week]
    )
    lived_experience_wanted = models.JSONField(
        _("lived experience wanted"), default=list, blank=True
    )
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE
    )
    contact_channel = models.CharField(
        _("preferred contact"), max_length=20, choices=ContactChannel.choices, blank=True
    )
    contact_notes = models.CharField(_("contact notes"), max_length=400, blank=True)
    channel = models.CharField(
        _("received through"), max_length=10, choices=Channel.choices, default=Channel.STAFF
    )
    referrer_name = models.CharField(_("referrer's name"), max_length=200, blank=True)
    referrer_organization = models.CharField(
        _("referrer's organization"), max_length=200, blank=True
    )
    referrer_email = models.EmailField(_("referrer's email"), blank=True)
    referrer_phone = models.CharField(_("referrer's phone"), max_length=40, blank=True)
    # Flagged at intake, never merged: a person may be referred twice on purpose.
    duplicate_of_referral = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    duplicate_of_engagement = models.ForeignKey(
        "engagements.Engagement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    waitlist_priority = models.PositiveSmallIntegerField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    screened_at = models.DateTimeField(null=True, blank=True)
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    matched_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("referral")
        indexes = [
            models.Index(fields=["organization", "status"]),
            models.Index(fields=["program", "status", "received_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.participant} → {self.program}"

    def clean(self) -> None:
        if self.gender_required and not self.supporter_gender_preference:
            raise ValidationError(
                {
                    "gender_required": _(
                        "Choose the supporter gender that is a must, or untick this."
                    )
                }
            )

    @property
    def lived_experience_labels(self) -> list[str]:
        labels = dict(LivedExperience.choices)
        return [str(labels.get(area, area)) for area in self.lived_experience_wanted]

    @property
    def preferred_times_labels(self) -> list[str]:
        labels = dict(TimeOfWeek.choices)
        return [str(labels.get(code, code)) for code in self.preferred_times]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_flagged_duplicate(self) -> bool:
        return bool(self.duplicate_of_referral_id or self.duplicate_of_engagement_id)

    @property
    def days_waiting(self) -> int:
        from django.utils import timezone

        end = self.matched_at or timezone.now()
        return (end - self.received_at).days
