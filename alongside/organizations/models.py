"""Organizations (tenants) and their programs."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Organization(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), unique=True)
    # How people reach the organization: printed on what participants take home
    # (the closure summary), so coming back is one call away.
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.TextField(_("address"), max_length=400, blank=True)
    # A participant's access history shows each opening's staff role; whether it also
    # names the person is the organization's choice.
    access_history_shows_names = models.BooleanField(
        _("show staff names in participants' access history"),
        default=False,
        help_text=_(
            "Off: participants see the role of whoever opened their record (peer supporter, "
            "coordinator…). On: they also see the person's name."
        ),
    )
    # Laws differ by state and funder, so the organization chooses; empty keeps records
    # for good (records.retention purges nothing until a period is set).
    retention_years = models.PositiveSmallIntegerField(
        _("keep records for (years after support ended)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_(
            "A participant's records may be purged this many years after their last "
            "engagement closed and their last referral ended. Leave empty to keep them."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")

    def __str__(self) -> str:
        return self.name


class Site(models.Model):
    """A place an organization works from (a drop-in center, a respite house): reports
    can be filtered by it."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="sites")
    name = models.CharField(_("name"), max_length=200)
    address = models.TextField(_("address"), max_length=400, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("site")
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="site_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Program(models.Model):
    """A service line with its own duration guideline and required documents."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="programs"
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    duration_guideline_days = models.PositiveIntegerField(
        _("duration guideline (days)"),
        null=True,
        blank=True,
        help_text=_("Leave empty for open-ended support."),
    )
    assessment_interval_months = models.PositiveSmallIntegerField(
        _("assessment interval (months)"), default=12
    )
    goal_review_interval_months = models.PositiveSmallIntegerField(
        _("goal review interval (months)"),
        default=3,
        help_text=_("Goals are reviewed this often between assessments; 0 for no reviews."),
    )
    concluding_checklist_days = models.PositiveSmallIntegerField(
        _("concluding checklist opens (days before the guideline ends)"),
        default=60,
        help_text=_(
            "The concluding conversation starts early: the checklist opens this many days "
            "before the guideline's end."
        ),
    )
    service_unit_minutes = models.PositiveSmallIntegerField(
        _("service unit (minutes)"),
        default=15,
        help_text=_("Held meetings are reported in units of this length."),
    )
    is_active = models.BooleanField(_("accepting referrals"), default=True)

    class Meta:
        ordering = ["organization", "name"]
        verbose_name = _("program")
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="program_unique_name"),
            models.CheckConstraint(
                condition=models.Q(assessment_interval_months__gte=1),
                name="program_assessment_interval_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name
