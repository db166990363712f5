"""The people who receive support."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from alongside.accounts.models import LANGUAGE_CHOICES
from alongside.core.models import Versioned
from alongside.participants.validators import validate_birth_date, validate_phone


class GenderIdentity(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    NONBINARY = "nonbinary", _("Non-binary")
    ANOTHER = "another", _("Another gender identity")
    DECLINED = "declined", _("Prefers not to say")


class RaceEthnicity(models.TextChoices):
    """As funders commonly ask (US Census categories, more than one may apply)."""

    AMERICAN_INDIAN = "american_indian", _("American Indian or Alaska Native")
    ASIAN = "asian", _("Asian")
    BLACK = "black", _("Black or African American")
    HISPANIC = "hispanic", _("Hispanic or Latino/a/e")
    MIDDLE_EASTERN = "middle_eastern", _("Middle Eastern or North African")
    PACIFIC_ISLANDER = "pacific_islander", _("Native Hawaiian or Pacific Islander")
    WHITE = "white", _("White")
    ANOTHER = "another", _("Another race or ethnicity")
    DECLINED = "declined", _("Prefers not to say")


class VeteranStatus(models.TextChoices):
    YES = "yes", _("Veteran")
    NO = "no", _("Not a veteran")
    DECLINED = "declined", _("Prefers not to say")


def validate_race_ethnicity(value) -> None:
    from django.core.exceptions import ValidationError

    if not isinstance(value, list) or any(v not in RaceEthnicity.values for v in value):
        raise ValidationError(_("Choose from the listed races and ethnicities."))


# A person's details: what intake records and what may be changed later (by the team, or
# in part by the person); the organization and the portal sign-in are not details.
DETAIL_FIELDS = (
    "first_name",
    "last_name",
    "preferred_name",
    "pronouns",
    "date_of_birth",
    "preferred_language",
    "phone",
    "email",
    "gender",
    "race_ethnicity",
    "veteran_status",
)
# What the person keeps current themselves in the portal: how to reach and address them.
OWN_DETAIL_FIELDS = ("preferred_name", "pronouns", "preferred_language", "phone", "email")


class Participant(Versioned):
    """A person receiving support; edits are checked against the version read."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="participants"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="participant",
        help_text=_("The sign-in the participant uses for the portal."),
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    preferred_name = models.CharField(_("preferred name"), max_length=100, blank=True)
    pronouns = models.CharField(_("pronouns"), max_length=40, blank=True)
    date_of_birth = models.DateField(
        _("date of birth"), null=True, blank=True, validators=[validate_birth_date]
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=LANGUAGE_CHOICES, default="en"
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True, validators=[validate_phone])
    email = models.EmailField(_("email"), blank=True)
    # Demographics for funder reports, as the person chose to tell us; empty = not recorded.
    gender = models.CharField(
        _("gender identity"), max_length=20, choices=GenderIdentity.choices, blank=True
    )
    race_ethnicity = models.JSONField(
        _("race and ethnicity"), default=list, blank=True, validators=[validate_race_ethnicity]
    )
    veteran_status = models.CharField(
        _("veteran"), max_length=10, choices=VeteranStatus.choices, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("participant")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        first = self.preferred_name or self.first_name
        return f"{first} {self.last_name}".strip()
