"""Instruments (surveys) as data, their versions, and the responses filled in.

An ``Instrument`` is installed from definition files (``definitions/<slug>.v<N>.json``,
see docs/surveys.md); each file is an ``InstrumentVersion`` that never changes once
installed (only its ``retired`` flag may be set), so a response always points at exactly
what was asked. A ``Response`` is a draft while it is being filled (saved as it goes) and
complete once scored: its ``raw``, ``score`` and ``band`` are stored then, so reports and
trends read them without scoring again.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from alongside.core.models import Versioned


class Immutable(Exception):
    """Raised when code tries to change an installed instrument version."""


class Instrument(models.Model):
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=200)
    current = models.ForeignKey(
        "surveys.InstrumentVersion",
        verbose_name=_("current version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    in_use = models.BooleanField(
        _("in use"), default=True, help_text=_("Offered for new responses.")
    )

    class Meta:
        ordering = ["slug"]
        verbose_name = _("instrument")

    def __str__(self) -> str:
        return self.title


class InstrumentVersion(models.Model):
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    definition = models.JSONField(_("definition"))
    sha256 = models.CharField(_("SHA-256 of the definition file"), max_length=64)
    installed_at = models.DateTimeField(_("installed at"), auto_now_add=True)
    retired = models.BooleanField(
        _("retired"), default=False, help_text=_("No new responses to a retired version.")
    )

    class Meta:
        ordering = ["instrument", "number"]
        verbose_name = _("instrument version")
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "number"], name="surveys_one_version_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument.slug} v{self.number}"

    def save(self, *args, **kwargs):
        # What was asked never changes under the responses that answered it.
        if not self._state.adding and set(kwargs.get("update_fields") or ()) != {"retired"}:
            raise Immutable("An instrument version is never changed; install a new version.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise Immutable("An instrument version is never deleted; retire it instead.")

    def item(self, number: int) -> dict | None:
        return next((i for i in self.definition["items"] if i["number"] == number), None)


class ResponseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    COMPLETE = "complete", _("Complete")


class FillMethod(models.TextChoices):
    PORTAL = "portal", _("By the participant, in the portal")
    WITH_SUPPORTER = "with_supporter", _("With the supporter")
    PAPER = "paper", _("On paper, entered by staff")


class Response(Versioned):
    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="survey_responses"
    )
    instrument_version = models.ForeignKey(
        InstrumentVersion, on_delete=models.PROTECT, related_name="responses"
    )
    answers = models.JSONField(
        _("answers"), default=dict, blank=True, help_text=_("Keyed by item number, as text.")
    )
    language = models.CharField(_("language"), max_length=10, default="en")
    status = models.CharField(
        _("status"), max_length=10, choices=ResponseStatus.choices, default=ResponseStatus.DRAFT
    )
    method = models.CharField(_("filled"), max_length=20, choices=FillMethod.choices)
    filled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filled by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    # Stored when completed; null when too many scored items were left unanswered.
    raw = models.FloatField(_("raw score"), null=True, blank=True)
    score = models.FloatField(_("score"), null=True, blank=True)
    band = models.CharField(_("band"), max_length=60, blank=True)
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        ordering = ["started_at", "pk"]
        verbose_name = _("survey response")
        indexes = [models.Index(fields=["engagement", "started_at"], name="surveys_resp_eng_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(completed_at__isnull=False),
                name="surveys_complete_has_time",
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument_version} ({self.get_status_display()})"

    @property
    def is_complete(self) -> bool:
        return self.status == ResponseStatus.COMPLETE
