"""Participant-centered goals, their stages of change, action steps and check-ins, and plans.

A goal is in the participant's own words. Its stage of change is recorded over time
(``GoalStage``), so movement shows. A ``Plan`` records how the team planned (a formal
written plan, a one-time informal discussion, an ongoing discussion) and which goals it
covers; its ``text`` is the snapshot both people read. A formal plan is signed by the
participant and the supporter (``PlanSignature``); once signed it never changes, and a
change makes a new plan (the next ``number``) that is signed again.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from alongside.core.models import Versioned


class Immutable(Exception):
    """Raised when code tries to change a record that may only be created."""


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


class Approach(models.TextChoices):
    """The pathway the participant chose; both are recovery, neither ranks above the other."""

    HARM_REDUCTION = "harm_reduction", _("Harm reduction")
    ABSTINENCE = "abstinence", _("Abstinence")
    NOT_APPLICABLE = "not_applicable", _("Neither / not applicable")


class Stage(models.TextChoices):
    """Stages of change; staying in contemplation is a valid place to be."""

    PRECONTEMPLATION = "precontemplation", _("Precontemplation")
    CONTEMPLATION = "contemplation", _("Contemplation")
    PREPARATION = "preparation", _("Preparation")
    ACTION = "action", _("Action")
    MAINTENANCE = "maintenance", _("Maintenance")


# Moving a goal into one of these is moving it to planning.
PLANNING_STAGES = frozenset({Stage.PREPARATION, Stage.ACTION})


class Goal(Versioned):
    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="goals"
    )
    statement = models.TextField(_("goal, in the participant's own words"), max_length=2000)
    wellness_dimension = models.CharField(
        _("wellness dimension"), max_length=20, choices=WellnessDimension.choices
    )
    approach = models.CharField(
        _("approach"),
        max_length=20,
        choices=Approach.choices,
        default=Approach.NOT_APPLICABLE,
        help_text=_(
            "The pathway the participant chooses. Harm reduction and abstinence are both "
            "recovery; follow their choice."
        ),
    )
    why_it_matters = models.TextField(_("why it matters to them"), max_length=2000, blank=True)
    strengths = models.TextField(
        _("strengths and resources to draw on"), max_length=2000, blank=True
    )
    measure = models.CharField(_("how progress will be measured"), max_length=400, blank=True)
    # The latest stage recorded in ``stages`` ("" until one is recorded).
    stage = models.CharField(
        _("stage of change"), max_length=20, choices=Stage.choices, blank=True
    )
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


class GoalStage(models.Model):
    """A stage of change recorded for a goal; the history is never edited."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="stages")
    stage = models.CharField(_("stage of change"), max_length=20, choices=Stage.choices)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note on the stage"), max_length=500, blank=True)

    class Meta:
        ordering = ["recorded_at", "id"]
        verbose_name = _("stage of change")
        indexes = [models.Index(fields=["goal", "recorded_at"])]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} · {self.recorded_at:%Y-%m-%d}"


class StepOwner(models.TextChoices):
    PARTICIPANT = "participant", _("Participant")
    SUPPORTER = "supporter", _("Peer supporter")
    BOTH = "both", _("Both of us")
    OTHER = "other", _("Someone else")


class ActionStep(Versioned):
    """One step toward a goal: who does what by when, and whether it is done."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="steps")
    text = models.CharField(_("step"), max_length=500)
    owner = models.CharField(
        _("who"), max_length=20, choices=StepOwner.choices, default=StepOwner.PARTICIPANT
    )
    due_on = models.DateField(_("by when"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    notes = models.TextField(_("notes"), max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("action step")

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class Rating(models.IntegerChoices):
    """How far along the participant feels with a goal, in their own judgement."""

    NOT_AT_ALL = 1, _("Not at all")
    A_LITTLE = 2, _("A little")
    SOMEWHAT = 3, _("Somewhat")
    MOSTLY = 4, _("Mostly")
    FULLY = 5, _("Fully")


class CheckIn(models.Model):
    """A progress check-in on a goal: a rating and a note, on a day."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="check_ins")
    rating = models.PositiveSmallIntegerField(
        _("how far along it feels"),
        choices=Rating.choices,
        validators=[MinValueValidator(Rating.NOT_AT_ALL), MaxValueValidator(Rating.FULLY)],
    )
    note = models.TextField(_("note"), max_length=2000, blank=True)
    checked_on = models.DateField(_("on"), default=timezone.localdate)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["checked_on", "id"]
        verbose_name = _("check-in")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="check_in_rating_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rating} · {self.checked_on}"


class PlanStyle(models.TextChoices):
    FORMAL = "formal", _("A formal written plan")
    INFORMAL_ONCE = "informal_once", _("A one-time informal discussion")
    ONGOING = "ongoing", _("An ongoing discussion")


def plan_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Plan(Versioned):
    """One version of an engagement's plan; the highest ``number`` is the current one.

    ``text`` is what both people read and sign, written when the plan is saved from its
    goals (and their steps) at that moment. ``version`` counts edits of an unsigned plan;
    once anyone signed it, a change makes the next ``number`` instead.
    """

    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="plans"
    )
    number = models.PositiveIntegerField(_("plan number"))
    style = models.CharField(_("how we plan"), max_length=20, choices=PlanStyle.choices)
    goals = models.ManyToManyField(Goal, blank=True, related_name="plans")
    agreed = models.TextField(
        _("what we agreed"),
        max_length=4000,
        blank=True,
        help_text=_("How we will check progress, what we do if something gets in the way."),
    )
    discussed_on = models.DateField(_("discussed on"), default=timezone.localdate)
    review_on = models.DateField(_("look at it again on"), null=True, blank=True)
    text = models.TextField(_("the plan as written"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["engagement", "number"]
        verbose_name = _("plan")
        constraints = [
            models.UniqueConstraint(fields=["engagement", "number"], name="plan_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.get_style_display()} #{self.number}"

    @property
    def sha256(self) -> str:
        return plan_hash(self.text)

    @property
    def is_formal(self) -> bool:
        return self.style == PlanStyle.FORMAL


class PlanSignerRole(models.TextChoices):
    PARTICIPANT = "participant", _("Participant")
    SUPPORTER = "supporter", _("Peer supporter")


class PlanSignatureMethod(models.TextChoices):
    PORTAL = "portal", _("Signed in the portal")
    IN_PERSON = "in_person", _("Signed in person on a team device")


class PlanSignature(models.Model):
    """Who signed which plan text, when, how and from where; immutable once saved."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="signatures")
    role = models.CharField(_("signed as"), max_length=20, choices=PlanSignerRole.choices)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signer_name = models.CharField(_("name as signed"), max_length=200)
    method = models.CharField(_("how"), max_length=20, choices=PlanSignatureMethod.choices)
    signed_at = models.DateTimeField(_("signed at"))
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=500, blank=True)
    sha256 = models.CharField(_("SHA-256 of the plan text signed"), max_length=64)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["signed_at", "id"]
        verbose_name = _("plan signature")
        constraints = [
            models.UniqueConstraint(fields=["plan", "role"], name="plan_signature_unique_role")
        ]

    def __str__(self) -> str:
        return f"{self.plan} signed by {self.signer_name}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise Immutable("A plan signature is never changed.")
        super().save(*args, **kwargs)
