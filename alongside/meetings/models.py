"""Meetings (planned or held), their notes, and each supporter's calendar feed.

A meeting is planned (with a place, a length and an optional reminder), then held,
missed (a no-show) or cancelled with a reason; a held meeting yields service units.
Its note is drafted, then finalized (signed); a finalized note only takes addenda.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from alongside.core.models import Versioned
from alongside.plans.models import StepOwner  # the same owners as a goal's action steps


class Mode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone")
    VIDEO = "video", _("Video")
    TEXT = "text", _("Text messages")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    MISSED = "missed", _("Missed (no-show)")
    CANCELLED = "cancelled", _("Cancelled")


class PlaceType(models.TextChoices):
    COMMUNITY = "community", _("In the community")
    HOME = "home", _("At home")
    OFFICE = "office", _("At the office")
    VIRTUAL = "virtual", _("Virtual")


class ReminderOutcome(models.TextChoices):
    """What became of a meeting's reminder; empty while it is still to come."""

    SENT = "sent", _("Sent")
    DECLINED = "declined", _("Skipped: the participant does not want reminders")
    NO_CHANNEL = "no_channel", _("Skipped: no agreed way to send it")
    QUIET_HOURS = "quiet_hours", _("Skipped: the agreed hours begin only after the meeting")
    TOO_LATE = "too_late", _("Skipped: the meeting had already started")


class Meeting(Versioned):
    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="meetings"
    )
    starts_at = models.DateTimeField(_("date and time"))
    # The length: as planned while planned; as it ran once held.
    duration_minutes = models.PositiveSmallIntegerField(_("length (minutes)"), default=60)
    planned_minutes = models.PositiveSmallIntegerField(
        _("planned length (minutes)"), null=True, blank=True
    )
    mode = models.CharField(_("mode"), max_length=20, choices=Mode.choices)
    place_type = models.CharField(_("place"), max_length=20, choices=PlaceType.choices, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.HELD
    )
    cancel_reason = models.CharField(_("why it was cancelled"), max_length=500, blank=True)
    # Reportable units of a held meeting, fixed when it is recorded as held (the program's
    # unit length may change later; reports keep what was reported).
    service_units = models.PositiveSmallIntegerField(_("service units"), default=0)
    # A reminder this many minutes before a planned meeting; None: no reminder.
    reminder_minutes = models.PositiveIntegerField(
        _("remind the participant (minutes before)"), null=True, blank=True
    )
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    reminder_outcome = models.CharField(
        _("reminder"), max_length=20, choices=ReminderOutcome.choices, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("meeting")
        indexes = [
            models.Index(fields=["engagement", "starts_at"]),
            # Planned meetings only (reminders, the week ahead). An index on every status
            # led SQLite to walk all held meetings for "notes overdue" (5 s on the large
            # seed); the (engagement, starts_at) index serves those queries.
            models.Index(
                fields=["starts_at"],
                condition=models.Q(status="planned"),
                name="meeting_planned_starts_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=1, duration_minutes__lte=1440),
                name="meeting_duration_in_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} · {self.starts_at:%Y-%m-%d}"


class Technique(models.TextChoices):
    """What the supporter did in the conversation."""

    CLARIFYING = "clarifying", _("Clarifying issues")
    BRAINSTORMING = "brainstorming", _("Brainstorming options")
    OWN_SOLUTIONS = "own_solutions", _("Encouraging the participant's own solutions")
    PROS_CONS = "pros_cons", _("Weighing pros and cons")
    INFORMATION = "information", _("Supplying information and resources")
    FOLLOW_THROUGH = "follow_through", _("Supporting follow-through")


class ReadinessSignal(models.TextChoices):
    """Signs that the participant is getting ready to change."""

    RESOLVE = "resolve", _("Expressing resolve")
    QUESTIONS = "questions", _("Asking questions about change")
    NEW_FUTURE = "new_future", _("Envisioning a new future")
    WANTS_PLAN = "wants_plan", _("Stating a desire to plan")


class NoteStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    FINAL = "final", _("Finalized")


class Note(Versioned):
    """What happened in a meeting, for the team; the participant sees only ``summary``.

    Drafted, then finalized (signed by its author): a finalized note is never edited,
    it only takes addenda.
    """

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="note")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=NoteStatus.choices, default=NoteStatus.DRAFT
    )
    topics = models.CharField(_("topics"), max_length=500, blank=True)
    body = models.TextField(_("note"), max_length=20000)
    goals = models.ManyToManyField("plans.Goal", blank=True, related_name="notes")
    techniques = models.JSONField(_("techniques used"), default=list, blank=True)
    wellness_dimensions = models.JSONField(
        _("wellness dimensions touched"), default=list, blank=True
    )
    readiness_signals = models.JSONField(_("readiness signals observed"), default=list, blank=True)
    shared_own_story = models.BooleanField(_("I shared from my own recovery"), default=False)
    sharing_purpose = models.CharField(
        _("why I shared (for the participant's benefit)"), max_length=500, blank=True
    )
    summary = models.TextField(
        _("summary for the participant"),
        max_length=4000,
        blank=True,
        help_text=_("Only this shows in the participant's portal; leave empty to share nothing."),
    )
    next_steps = models.TextField(_("next steps"), blank=True, max_length=4000)
    finalized_at = models.DateTimeField(_("finalized at"), null=True, blank=True)
    finalized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = _("note")
        indexes = [models.Index(fields=["author", "status"])]

    def __str__(self) -> str:
        return f"Note on {self.meeting}"

    @property
    def is_final(self) -> bool:
        return self.status == NoteStatus.FINAL


class NextStep(models.Model):
    """A next step agreed in a meeting: who does what by when."""

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="steps")
    text = models.CharField(_("next step"), max_length=500)
    owner = models.CharField(_("who"), max_length=20, choices=StepOwner.choices)
    due_on = models.DateField(_("by when"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("next step")

    def __str__(self) -> str:
        return self.text[:80]


class Addendum(models.Model):
    """Added to a finalized note: the note itself stays as it was signed."""

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="addenda")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(_("addendum"), max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("addendum")
        verbose_name_plural = _("addenda")

    def __str__(self) -> str:
        return f"Addendum to {self.note}"


class CalendarFeed(models.Model):
    """A supporter's secret iCalendar address; only a digest of its token is stored.

    Revoking deletes the row; a new address is a new token.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    token_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"
