"""Users, their roles in each organization, and peer supporter profiles."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    COORDINATOR = "coordinator", _("Coordinator")
    SUPERVISOR = "supervisor", _("Supervisor")
    SUPPORTER = "supporter", _("Peer supporter")
    PARTICIPANT = "participant", _("Participant")


class Membership(models.Model):
    """One role a user holds in one organization; a user may hold several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    programs = models.ManyToManyField(
        "organizations.Program",
        blank=True,
        related_name="coordinator_memberships",
        verbose_name=_("programs coordinated"),
        help_text=_("For coordinators: the programs whose engagements they see."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "role"], name="membership_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organization}"


class LivedExperience(models.TextChoices):
    MENTAL_HEALTH = "mental_health", _("Mental health")
    SUBSTANCE_USE = "substance_use", _("Substance use")
    CO_OCCURRING = "co_occurring", _("Co-occurring")
    TRAUMA = "trauma", _("Trauma")
    JUSTICE = "justice", _("Justice involvement")
    VETERANS = "veterans", _("Veterans")
    LGBTQ = "lgbtq", _("LGBTQ+")
    PARENTING = "parenting", _("Parenting")
    HOUSING = "housing", _("Housing instability")
    YOUTH = "youth", _("Youth")
    OLDER_ADULTS = "older_adults", _("Older adults")


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    NONBINARY = "nonbinary", _("Non-binary")
    UNDISCLOSED = "undisclosed", _("Not stated")


LANGUAGE_CHOICES = [
    ("en", _("English")),
    ("es", _("Spanish")),
    ("zh", _("Chinese")),
    ("vi", _("Vietnamese")),
    ("ar", _("Arabic")),
    ("fr", _("French")),
    ("ht", _("Haitian Creole")),
    ("asl", _("American Sign Language")),
]


class PeerSupporterProfile(models.Model):
    """What matching needs to know about a peer supporter."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="supporter_profiles")
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="supporters"
    )
    programs = models.ManyToManyField(
        "organizations.Program", blank=True, related_name="supporters"
    )
    languages = models.JSONField(_("languages"), default=list, blank=True)
    lived_experience = models.JSONField(_("lived-experience areas"), default=list, blank=True)
    gender = models.CharField(
        _("gender"), max_length=20, choices=Gender.choices, default=Gender.UNDISCLOSED
    )
    capacity = models.PositiveSmallIntegerField(_("maximum caseload"), default=12)
    supervisor = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supervisees",
        verbose_name=_("supervisor"),
    )
    accepting = models.BooleanField(_("accepting new participants"), default=True)

    class Meta:
        verbose_name = _("peer supporter profile")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"], name="supporter_profile_unique"
            )
        ]

    def __str__(self) -> str:
        return str(self.user)
