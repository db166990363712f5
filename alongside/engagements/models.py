"""One peer support relationship, from match to exit, and its lifecycle."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from alongside.core.models import Versioned


class State(models.TextChoices):
    REFERRED = "referred", _("Referred")
    MATCHED = "matched", _("Matched")
    ONBOARDING = "onboarding", _("Onboarding")
    ACTIVE = "active", _("Active")
    EXITING = "exiting", _("Exiting")
    CLOSED = "closed", _("Closed")


class Engagement(Versioned):
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="engagements"
    )
    program = models.ForeignKey(
        "organizations.Program", on_delete=models.PROTECT, related_name="engagements"
    )
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="engagements"
    )
    supporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="engagements",
        verbose_name=_("peer supporter"),
    )
    referral = models.OneToOneField(
        "referrals.Referral",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="engagement",
    )
    previous = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="returns",
        help_text=_("The earlier engagement of a returning participant."),
    )
    site = models.ForeignKey(
        "organizations.Site",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="engagements",
        help_text=_("Where support is based; from the supporter's site at the match."),
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices)
    state_changed_at = models.DateTimeField()
    started_on = models.DateField(_("started on"))
    activated_on = models.DateField(_("active since"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    # Kept by the services so due work is one indexed query at any data size.
    assessment_due_on = models.DateField(_("assessment due"), null=True, blank=True)
    goal_review_due_on = models.DateField(_("goal review due"), null=True, blank=True)
    guideline_ends_on = models.DateField(_("end of duration guideline"), null=True, blank=True)
    # The tier of the latest assessment, kept by assessment_record, so a supporter's
    # tier-weighted caseload is one aggregate query; empty until the first assessment.
    tier = models.PositiveSmallIntegerField(_("current tier"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        ordering = ["-started_on", "-id"]
        verbose_name = _("engagement")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "program"],
                condition=~models.Q(state="closed"),
                name="engagement_one_open_per_program",
            ),
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True)
                | models.Q(closed_on__gte=models.F("started_on")),
                name="engagement_closed_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "state"]),
            models.Index(fields=["supporter", "state"]),
            models.Index(fields=["program", "state"]),
            models.Index(fields=["state", "assessment_due_on"]),
            models.Index(fields=["state", "guideline_ends_on"]),
            models.Index(fields=["state", "goal_review_due_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.participant} · {self.program}"

    @property
    def is_closed(self) -> bool:
        return self.state == State.CLOSED


class StateChange(models.Model):
    """Who moved an engagement between states, when and why."""

    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="state_changes"
    )
    from_state = models.CharField(max_length=20, choices=State.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=State.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]


class SupporterAssignment(models.Model):
    """Who supported the participant when, and why it changed (rematch keeps the history)."""

    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="assignments"
    )
    supporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=400, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["started_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["engagement"],
                condition=models.Q(ended_on__isnull=True),
                name="one_current_supporter_per_engagement",
            )
        ]


class OnboardingStep(models.Model):
    """A conversation of getting started that the team records as done, with who and when."""

    class Step(models.TextChoices):
        PROCESS = "process_explained", _("The process and what to expect explained")
        RIGHTS = "rights_explained", _("Rights and privacy explained")

    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="onboarding_steps"
    )
    step = models.CharField(max_length=30, choices=Step.choices)
    done_at = models.DateTimeField()
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["done_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["engagement", "step"], name="onboarding_step_once")
        ]


class GuidelineExtension(models.Model):
    """Support going on past the program's duration guideline: a coordinator's decision,
    with its reason, kept so the caseload and the timeline can show how often it happened."""

    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="guideline_extensions"
    )
    previous_ends_on = models.DateField(_("guideline ended on"))
    new_ends_on = models.DateField(_("extended until"))
    reason = models.TextField(_("reason"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("guideline extension")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(new_ends_on__gt=models.F("previous_ends_on")),
                name="guideline_extension_moves_later",
            ),
            models.CheckConstraint(
                condition=~models.Q(reason=""), name="guideline_extension_has_reason"
            ),
        ]
