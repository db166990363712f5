"""Progress assessments that assign a tier, the rule that suggests one, and goal reviews.

An ``Assessment`` keeps what the team saw (``facts``), the tier the organization's
``TierRule`` suggested from those facts with its reasons, the tier the team chose (a
different one needs a reason), and the plan going forward. Its ``text`` is what the
participant and the supporter read and sign (``AssessmentSignature``, like a formal
plan's); an edit makes earlier signatures stale, and once both signed the current text it
is read-only. A ``GoalReview`` is the lighter, periodic look at goals between assessments.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from alongside.core.models import Versioned


class Immutable(Exception):
    """Raised when code tries to change a record that may only be created."""


class Tier(models.IntegerChoices):
    MAKING_PROGRESS = 1, _("Tier 1 · making progress")
    MAINTAINING = 2, _("Tier 2 · maintaining position")
    EXITING = 3, _("Tier 3 · exiting support")


class PlanChoice(models.TextChoices):
    STAY_COURSE = "stay_course", _("Stay the course")
    CHANGE_FOCUS = "change_focus", _("Change focus")
    CHANGE_TIME = "change_time", _("Change the amount of time in support")


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Assessment(Versioned):
    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="assessments"
    )
    tier = models.PositiveSmallIntegerField(_("tier"), choices=Tier.choices)
    rationale = models.TextField(_("why this tier"), max_length=4000)
    suggested_tier = models.PositiveSmallIntegerField(
        _("suggested tier"), choices=Tier.choices, null=True, blank=True
    )
    # [{"kind": "progress" | "concern" | "neutral" | "verdict", "text": "..."}]
    suggestion_reasons = models.JSONField(_("why that tier was suggested"), default=list)
    tier_override_reason = models.TextField(
        _("why a tier other than the suggested one"), max_length=2000, blank=True
    )
    # Blank only on assessments recorded before the choice existed.
    plan_choice = models.CharField(
        _("ongoing plan"), max_length=20, choices=PlanChoice.choices, blank=True
    )
    ongoing_plan = models.TextField(_("ongoing plan, in detail"), blank=True, max_length=4000)
    achievable_goals = models.TextField(_("achievable goals"), blank=True, max_length=4000)
    actions = models.TextField(_("specific actions"), blank=True, max_length=4000)
    measure = models.TextField(_("how progress will be measured"), blank=True, max_length=2000)
    corrections = models.TextField(
        _("how problems will be corrected"), blank=True, max_length=2000
    )
    assessed_on = models.DateField(_("assessed on"))
    reassess_on = models.DateField(_("re-assess on"), null=True, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # What the team saw when it saved (assessments.facts.gather), so the record shows it.
    facts = models.JSONField(_("facts gathered"), default=dict, blank=True)
    # What both people read and sign; written by the service from the fields above.
    text = models.TextField(_("the assessment as written"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        ordering = ["-assessed_on", "-id"]
        verbose_name = _("assessment")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(tier__in=[1, 2, 3]), name="assessment_tier_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(reassess_on__isnull=True)
                | models.Q(reassess_on__gt=models.F("assessed_on")),
                name="assessment_reassess_after_assessed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_tier_display()} · {self.assessed_on}"

    @property
    def sha256(self) -> str:
        return text_hash(self.text)

    @property
    def is_override(self) -> bool:
        return self.suggested_tier is not None and self.tier != self.suggested_tier


class SignerRole(models.TextChoices):
    PARTICIPANT = "participant", _("Participant")
    SUPPORTER = "supporter", _("Peer supporter")


class SignatureMethod(models.TextChoices):
    PORTAL = "portal", _("Signed in the portal")
    IN_PERSON = "in_person", _("Signed in person on a team device")


class AssessmentSignature(models.Model):
    """Who signed which assessment text, when, how and from where; immutable once saved.

    ``sha256`` says which text: a signature counts only while it matches the current text.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="signatures")
    role = models.CharField(_("signed as"), max_length=20, choices=SignerRole.choices)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signer_name = models.CharField(_("name as signed"), max_length=200)
    method = models.CharField(_("how"), max_length=20, choices=SignatureMethod.choices)
    signed_at = models.DateTimeField(_("signed at"))
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=500, blank=True)
    sha256 = models.CharField(_("SHA-256 of the text signed"), max_length=64)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["signed_at", "id"]
        verbose_name = _("assessment signature")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "role", "sha256"],
                name="assessment_signature_once_per_text",
            )
        ]

    def __str__(self) -> str:
        return f"{self.assessment} signed by {self.signer_name}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise Immutable("An assessment signature is never changed.")
        super().save(*args, **kwargs)


class TierRule(models.Model):
    """The organization's thresholds for the suggested tier; its admin tunes them.

    Without a row, the defaults below apply (``rules.rule_for``).
    """

    organization = models.OneToOneField(
        "organizations.Organization", on_delete=models.CASCADE, related_name="tier_rule"
    )
    recovery_capital_threshold = models.PositiveSmallIntegerField(
        _("BARC-10 total that counts as progress (at or above)"),
        default=47,
        validators=[MinValueValidator(10), MaxValueValidator(60)],
        help_text=_("47 or more was associated with sustained remission in the BARC-10 study."),
    )
    wellbeing_floor = models.PositiveSmallIntegerField(
        _("WHO-5 score at or below which wellbeing is a concern"),
        default=50,
        validators=[MaxValueValidator(100)],
    )
    wellbeing_rise = models.PositiveSmallIntegerField(
        _("WHO-5 rise that counts as progress (points)"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("A change of 10 points is usually taken as meaningful."),
    )
    progress_survey_good = models.DecimalField(
        _("Progress Survey average that counts as progress (at or above)"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("3.50"),
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    progress_survey_low = models.DecimalField(
        _("Progress Survey average below which it is a concern"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("2.50"),
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    goal_rating_progress = models.PositiveSmallIntegerField(
        _("check-in rating that counts a goal as progressing (at or above)"),
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    goals_progressing_share = models.PositiveSmallIntegerField(
        _("share of goals progressing that counts as progress (%, at or above)"),
        default=50,
        validators=[MaxValueValidator(100)],
    )
    attendance_floor = models.PositiveSmallIntegerField(
        _("share of meetings attended below which it is a concern (%)"),
        default=60,
        validators=[MaxValueValidator(100)],
    )
    attendance_min_meetings = models.PositiveSmallIntegerField(
        _("meetings needed before attendance is judged"),
        default=3,
        validators=[MinValueValidator(1)],
    )
    min_progress_signs = models.PositiveSmallIntegerField(
        _("signs of progress needed for tier 1"),
        default=2,
        validators=[MinValueValidator(1)],
    )
    exit_goals_achieved_share = models.PositiveSmallIntegerField(
        _("share of goals achieved that suggests tier 3 (%, at or above)"),
        default=75,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("tier rule")
        verbose_name_plural = _("tier rules")

    def __str__(self) -> str:
        return str(_("Tier rule of %(organization)s") % {"organization": self.organization})

    def clean(self) -> None:
        if self.progress_survey_low > self.progress_survey_good:
            raise ValidationError(
                {
                    "progress_survey_low": _(
                        "The concern level cannot be above the level that counts as progress."
                    )
                }
            )


class GoalReview(models.Model):
    """A periodic look at the goals between assessments (an assessment counts as one too)."""

    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="goal_reviews"
    )
    reviewed_on = models.DateField(_("reviewed on"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("what we found"), max_length=4000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reviewed_on", "-id"]
        verbose_name = _("goal review")

    def __str__(self) -> str:
        return f"{self.reviewed_on}"
