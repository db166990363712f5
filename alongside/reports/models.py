"""Saved report filters (optionally built every month) and the files built for them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from alongside.core.storage import private_storage


class Period(models.TextChoices):
    """Periods relative to the day a report is built."""

    PREVIOUS_MONTH = "previous_month", _("The month before")
    PREVIOUS_QUARTER = "previous_quarter", _("The quarter before")
    YEAR_TO_DATE = "year_to_date", _("This year so far")
    LAST_12_MONTHS = "last_12_months", _("The twelve months before")


class Format(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"
    PDF = "pdf", "PDF"


class SavedReport(models.Model):
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_reports"
    )
    report = models.CharField(_("report"), max_length=40)
    title = models.CharField(_("name"), max_length=120)
    # program / supporter / site ids, as the filter form takes them.
    params = models.JSONField(default=dict, blank=True)
    period = models.CharField(
        _("period"), max_length=20, choices=Period.choices, default=Period.PREVIOUS_MONTH
    )
    format = models.CharField(_("format"), max_length=5, choices=Format.choices)
    monthly = models.BooleanField(_("build it every month"), default=True)
    next_run_on = models.DateField(_("next build"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "pk"]
        indexes = [models.Index(fields=["monthly", "next_run_on"])]

    def __str__(self) -> str:
        return self.title


class BuildStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to be built")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Could not be built")


def build_path(build: ReportBuild, filename: str) -> str:
    return f"reports/{build.organization_id}/{build.pk or 'new'}-{filename}"


class ReportBuild(models.Model):
    """One file built in the background: a saved report's monthly run, or an export too
    large for one request. Kept for download by the person it was built for."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_builds"
    )
    saved = models.ForeignKey(
        SavedReport, on_delete=models.SET_NULL, null=True, blank=True, related_name="builds"
    )
    # A report's name, or MEETINGS for the row-level meetings export.
    report = models.CharField(max_length=40)
    params = models.JSONField(default=dict)  # start, end and the filters
    format = models.CharField(max_length=5, choices=Format.choices)
    status = models.CharField(
        max_length=10, choices=BuildStatus.choices, default=BuildStatus.QUEUED
    )
    file = models.FileField(storage=private_storage, upload_to=build_path, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    MEETINGS = "meetings"

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["requested_by", "created_at"])]

    def __str__(self) -> str:
        return f"{self.report} {self.params.get('start')}–{self.params.get('end')}"
