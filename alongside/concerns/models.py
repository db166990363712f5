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


class RaisedThrough(models.TextChoices):
    PORTAL = "portal", _("Participant portal")
    STAFF = "staff", _("Staff")
    PUBLIC = "public", _("Public page")
    API = "api", _("API")


class InformedHow(models.TextChoices):
    PHONE = "phone", _("Phone call")
    EMAIL = "email", _("Email")
    IN_PERSON = "in_person", _("In person")
    LETTER = "letter", _("Letter")
    IN_APP = "in_app", _("In the app")


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
    raised_through = models.CharField(
        _("raised through"),
        max_length=10,
        choices=RaisedThrough.choices,
        default=RaisedThrough.STAFF,
    )
    category = models.CharField(_("what it is about"), max_length=20, choices=Category.choices)
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=ConcernUrgency.choices, default=ConcernUrgency.NORMAL
    )
    description = models.TextField(_("what happened"), max_length=8000)
    # Who it is about: a staff member (never shown the concern, nor their supervisor), or
    # what a member of the public wrote.
    subject_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("about (staff member)"),
    )
    subject_text = models.CharField(_("about"), max_length=200, blank=True)
    # A way to reach someone who raised it without signing in (all optional).
    contact_name = models.CharField(_("name"), max_length=120, blank=True)
    contact_phone = models.CharField(_("phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("email"), max_length=200, blank=True)
    wants_different_supporter = models.BooleanField(
        _("would like a different peer supporter"), default=False
    )
    # Nobody but the subject and their supervisors could handle it when it was raised.
    needs_outside_line = models.BooleanField(default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=ConcernStatus.choices, default=ConcernStatus.OPEN
    )
    resolution = models.TextField(_("actions and resolution"), blank=True, max_length=8000)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    informed_at = models.DateTimeField(null=True, blank=True)
    informed_how = models.CharField(
        _("how they were informed"), max_length=10, choices=InformedHow.choices, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("concern")
        indexes = [models.Index(fields=["organization", "status"])]

    @property
    def reachable(self) -> bool:
        """Whether the person who raised it left a way to tell them the outcome."""
        return bool(self.raised_by_id or self.contact_phone or self.contact_email)


class ConcernAction(models.Model):
    """One step in handling a concern: who did what, when. Only its handlers see these."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="actions")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=20)
    text = models.TextField(_("what was done"), max_length=4000)

    class Meta:
        ordering = ["at", "pk"]
