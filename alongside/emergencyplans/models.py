"""The participant's emergency plan: what others should know and do in a crisis.

The plan belongs to the participant, not to one engagement: a person has one crisis
plan whichever program they are in, and it carries over when they return. Every save
writes a new, immutable ``EmergencyPlanVersion``; the plan points at the current one.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alongside.core.models import Versioned

# The written sections of a plan, in the order the plan reads: field name → label.
TEXT_SECTIONS: tuple[tuple[str, str], ...] = (
    ("well", _("What I am like when I am well")),
    ("warning_signs", _("Signs that mean others should step in")),
    ("helps", _("What helps")),
    ("does_not_help", _("What does not help")),
    ("treatments_help", _("Medications and treatments that help")),
    ("treatments_avoid", _("Medications and treatments to avoid")),
    ("facilities_preferred", _("Places I prefer for care (hospital, respite, crisis center)")),
    ("facilities_avoided", _("Places I do not want to go")),
    ("not_involved", _("People who must not be involved")),
    ("needs_children", _("Children: who looks after them")),
    ("needs_pets", _("Pets: who looks after them")),
    ("needs_bills", _("Bills, rent and home")),
    ("needs_other", _("Other practical needs")),
    ("no_longer_needed", _("Signs that this plan is no longer needed")),
)
LIST_SECTIONS: tuple[tuple[str, str], ...] = (
    ("contacts", _("People to contact")),
    ("crisis_lines", _("Crisis lines")),
)
SECTION_LABELS = dict(TEXT_SECTIONS + LIST_SECTIONS)
CONTENT_FIELDS = tuple(name for name, _label in TEXT_SECTIONS + LIST_SECTIONS)

DEFAULT_CRISIS_LINES = ({"name": "988 Suicide & Crisis Lifeline (call or text)", "phone": "988"},)


class EmergencyPlan(Versioned):
    """One per participant; ``version`` is the number of the current version."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="+"
    )
    participant = models.OneToOneField(
        "participants.Participant", on_delete=models.PROTECT, related_name="emergency_plan"
    )
    current = models.OneToOneField(
        "EmergencyPlanVersion", on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("emergency plan")

    def __str__(self) -> str:
        return f"{self.participant} · {self._meta.verbose_name}"


class EmergencyPlanVersion(models.Model):
    """What the plan said after one save; never changed afterwards."""

    plan = models.ForeignKey(EmergencyPlan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    saved_at = models.DateTimeField(default=timezone.now)
    # The sections that differ from the version before (all filled ones for the first).
    changed = models.JSONField(default=list)

    well = models.TextField(blank=True, max_length=4000)
    warning_signs = models.TextField(max_length=4000)
    helps = models.TextField(blank=True, max_length=4000)
    does_not_help = models.TextField(blank=True, max_length=4000)
    # [{"name", "relationship", "phone", "outside_team": bool}]
    contacts = models.JSONField(default=list, blank=True)
    # [{"name", "phone"}]
    crisis_lines = models.JSONField(default=list, blank=True)
    treatments_help = models.TextField(blank=True, max_length=4000)
    treatments_avoid = models.TextField(blank=True, max_length=4000)
    facilities_preferred = models.TextField(blank=True, max_length=2000)
    facilities_avoided = models.TextField(blank=True, max_length=2000)
    not_involved = models.TextField(blank=True, max_length=2000)
    needs_children = models.TextField(blank=True, max_length=2000)
    needs_pets = models.TextField(blank=True, max_length=2000)
    needs_bills = models.TextField(blank=True, max_length=2000)
    needs_other = models.TextField(blank=True, max_length=2000)
    no_longer_needed = models.TextField(blank=True, max_length=4000)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("emergency plan version")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="emergency_plan_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.plan} v{self.number}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValueError("An emergency plan version is immutable; save a new version.")
        super().save(*args, **kwargs)

    def content(self) -> dict:
        return {name: getattr(self, name) for name in CONTENT_FIELDS}
