"""How an engagement ends: the exit (kind, reason, step-down plan) and the concluding checklist.

The checklist belongs to the engagement, not to the exit: it opens before the exit
starts (the concluding conversation starts early), and an exit that is withdrawn
(support goes on after all) leaves what was already talked through on record.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class ExitKind(models.TextChoices):
    PLANNED = "planned", _("Planned exit")
    STEP_DOWN = "step_down", _("Staged step-down")
    ABRUPT = "abrupt", _("Abrupt ending")


class ExitReason(models.TextChoices):
    # Planned (and step-down): the team decided the end together.
    GOALS_MET = "goals_met", _("Goals met")
    NO_LONGER_NEEDED = "no_longer_needed", _("Tier 3: support no longer needed")
    # Abrupt: life happened.
    HOSPITALIZED = "hospitalized", _("Hospitalized")
    INCARCERATED = "incarcerated", _("Incarcerated")
    MOVED = "moved", _("Moved away")
    LOST_CONTACT = "lost_contact", _("Lost contact")
    PARTICIPANT_CHOICE = "participant_choice", _("Participant's choice")
    DEATH = "death", _("Death")
    OTHER = "other", _("Other")


PLANNED_REASONS = (ExitReason.GOALS_MET, ExitReason.NO_LONGER_NEEDED)
REASONS_BY_KIND: dict[str, tuple[str, ...]] = {
    ExitKind.PLANNED: PLANNED_REASONS,
    ExitKind.STEP_DOWN: PLANNED_REASONS,
    ExitKind.ABRUPT: tuple(r for r in ExitReason.values if r not in PLANNED_REASONS),
}


def kind_for_reason(reason: str) -> str:
    """The kind a reason implies when none is given (older callers and rows)."""
    return ExitKind.PLANNED if reason in PLANNED_REASONS else ExitKind.ABRUPT


class Exit(models.Model):
    engagement = models.OneToOneField(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="exit"
    )
    kind = models.CharField(
        _("kind of ending"), max_length=20, choices=ExitKind.choices, default=ExitKind.PLANNED
    )
    reason = models.CharField(_("reason"), max_length=30, choices=ExitReason.choices)
    reason_detail = models.CharField(
        _("what happened"),
        max_length=400,
        blank=True,
        help_text=_("Needed when the reason is “Other”."),
    )
    note = models.TextField(_("how the ending went"), blank=True, max_length=4000)
    # A staged step-down: meetings become less frequent until the end date, then close.
    step_down_per_month = models.PositiveSmallIntegerField(
        _("meetings per month while stepping down"), null=True, blank=True
    )
    step_down_until = models.DateField(_("step-down ends on"), null=True, blank=True)
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
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="step_down")
                | models.Q(step_down_until__isnull=False, step_down_per_month__isnull=False),
                name="exit_step_down_has_plan",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.get_reason_display()}"

    @property
    def is_abrupt(self) -> bool:
        return self.kind == ExitKind.ABRUPT

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None

    @property
    def reason_text(self) -> str:
        """The reason as people read it: "Other" says what happened."""
        if self.reason == ExitReason.OTHER and self.reason_detail:
            return f"{self.get_reason_display()}: {self.reason_detail}"
        return str(self.get_reason_display())


class ConcludingStep(models.Model):
    """One step of the concluding checklist, done (who, when, note) or, for an abrupt
    ending, recorded as not possible with the reason."""

    class Step(models.TextChoices):
        ENDING_DISCUSSED = "ending_discussed", _("The ending discussed together")
        GROWTH_REFLECTED = "growth_reflected", _("Growth reflected on")
        SUPPORTS_CONNECTED = (
            "supports_connected",
            _("Natural supports and community resources connected"),
        )
        WAY_BACK_EXPLAINED = (
            "way_back_explained",
            _("What to do if they need help again explained"),
        )
        EXIT_SURVEY_OFFERED = "exit_survey_offered", _("Exit survey offered")
        RECORDS_FINALIZED = "records_finalized", _("Records finalized")

    class Status(models.TextChoices):
        DONE = "done", _("Done")
        NOT_POSSIBLE = "not_possible", _("Could not be done")

    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="concluding_steps"
    )
    step = models.CharField(_("step"), max_length=30, choices=Step.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DONE
    )
    note = models.TextField(
        _("note"),
        max_length=2000,
        blank=True,
        help_text=_("What was said or arranged; why it could not be done."),
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["recorded_at", "id"]
        verbose_name = _("concluding step")
        constraints = [
            models.UniqueConstraint(fields=["engagement", "step"], name="concluding_step_once"),
            models.CheckConstraint(
                condition=models.Q(status="done") | ~models.Q(note=""),
                name="concluding_not_possible_says_why",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_step_display()} · {self.get_status_display()}"

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE
