"""Users, their roles in each organization, and peer supporter profiles."""

import datetime
import secrets
from functools import lru_cache

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


def new_session_stamp() -> str:
    return secrets.token_hex(16)


class User(AbstractUser):
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    # Part of every session's auth hash (with the password): a new stamp ends all of the
    # person's sessions, e.g. when their second factor is reset or they sign out everywhere.
    session_stamp = models.CharField(max_length=32, default=new_session_stamp, editable=False)

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_session_auth_hash(self) -> str:
        return self._stamped_auth_hash(settings.SECRET_KEY)

    def get_session_auth_fallback_hash(self):
        for fallback_secret in settings.SECRET_KEY_FALLBACKS:
            yield self._stamped_auth_hash(fallback_secret)

    def _stamped_auth_hash(self, secret: str) -> str:
        return salted_hmac(
            "alongside.accounts.User.session_auth_hash",
            f"{self.password}:{self.session_stamp}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class SignInEvent(models.Model):
    """One step of someone's sign-in, shown to them as their sign-in history."""

    class Kind(models.TextChoices):
        SIGNED_IN = "signed_in", _("Signed in with password")
        SECOND_STEP = "second_step", _("Second step passed")
        WRONG_PASSWORD = "wrong_password", _("Wrong password")
        WRONG_CODE = "wrong_code", _("Wrong second-step code")
        RECOVERY_CODE_USED = "recovery_code", _("Recovery code used")
        LOCKED_OUT = "locked_out", _("Sign-in paused after failed attempts")
        UNLOCKED = "unlocked", _("Unlocked by an administrator")
        PASSWORD_CHANGED = "password_changed", _("Password changed, other sessions ended")
        SESSIONS_ENDED = "sessions_ended", _("Signed out everywhere else")
        SECOND_FACTOR_ON = "second_factor_on", _("Two-step sign-in set up")
        SECOND_FACTOR_OFF = "second_factor_off", _("Two-step sign-in turned off")
        SECOND_FACTOR_RESET = (
            "second_factor_reset",
            _("Two-step sign-in reset by an administrator"),
        )
        RECOVERY_CODES_NEW = "recovery_codes", _("New recovery codes made")
        API_TOKEN = "api_token", _("API token issued")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sign_in_events")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "-at"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_kind_display()} · {self.at:%Y-%m-%d %H:%M}"


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


class AgeBand(models.TextChoices):
    YOUTH = "18-24", _("18–24")
    ADULT_25 = "25-34", _("25–34")
    ADULT_35 = "35-44", _("35–44")
    ADULT_45 = "45-54", _("45–54")
    ADULT_55 = "55-64", _("55–64")
    OLDER = "65+", _("65 and over")


class ExperienceArea(models.Model):
    """A lived-experience area an organization adds to the built-in list."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="experience_areas"
    )
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("label"), max_length=100)

    class Meta:
        ordering = ["label"]
        verbose_name = _("lived-experience area")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "code"], name="experience_area_unique_code"
            )
        ]

    def __str__(self) -> str:
        return self.label


def experience_choices(organization) -> list[tuple[str, str]]:
    """The built-in lived-experience areas and the organization's own."""
    extra = (
        []
        if organization is None
        else list(
            ExperienceArea.objects.filter(organization=organization).values_list("code", "label")
        )
    )
    return [*LivedExperience.choices, *extra]


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
    age_band = models.CharField(_("age band"), max_length=10, choices=AgeBand.choices, blank=True)
    locations_served = models.JSONField(
        _("places served"),
        default=list,
        blank=True,
        help_text=_("Towns, neighborhoods or counties where they meet people."),
    )
    travel_radius_miles = models.PositiveSmallIntegerField(
        _("travel radius (miles)"), null=True, blank=True
    )
    remote_only = models.BooleanField(_("meets by phone or video only"), default=False)
    capacity = models.PositiveSmallIntegerField(_("maximum caseload"), default=12)
    # How much of the caseload one participant takes, by tier: a Tier 1 participant
    # (making active progress) needs more time than one maintaining position.
    tier1_load = models.DecimalField(
        _("load of a Tier 1 participant"), max_digits=3, decimal_places=1, default=1.5
    )
    tier2_load = models.DecimalField(
        _("load of a Tier 2 participant"), max_digits=3, decimal_places=1, default=1.0
    )
    tier3_load = models.DecimalField(
        _("load of a Tier 3 participant"), max_digits=3, decimal_places=1, default=0.5
    )
    supervisor = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supervisees",
        verbose_name=_("supervisor"),
    )
    accepting = models.BooleanField(_("accepting new participants"), default=True)
    site = models.ForeignKey(
        "organizations.Site",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supporters",
        verbose_name=_("site"),
        help_text=_("Where they are based; a new engagement of theirs is based there too."),
    )

    class Meta:
        verbose_name = _("peer supporter profile")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"], name="supporter_profile_unique"
            )
        ]

    def __str__(self) -> str:
        return str(self.user)


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class TimeOfWeek(models.TextChoices):
    """When a participant would like to meet; a supporter's windows map to the same codes."""

    WEEKDAY_MORNING = "weekday_morning", _("Weekday mornings (before noon)")
    WEEKDAY_AFTERNOON = "weekday_afternoon", _("Weekday afternoons (noon to 5 pm)")
    WEEKDAY_EVENING = "weekday_evening", _("Weekday evenings (after 5 pm)")
    WEEKEND = "weekend", _("Weekends (Saturday or Sunday)")


TIMES_OF_WEEK: tuple[str, ...] = tuple(TimeOfWeek.values)  # in this order everywhere
_WEEKDAYS = frozenset(range(5))
_WEEKEND = frozenset({Weekday.SATURDAY, Weekday.SUNDAY})
_NOON, _FIVE_PM = datetime.time(12), datetime.time(17)
# Each code's span: its days, and its hours from (inclusive) until (exclusive); None is
# the start or the end of the day.
_SPANS: dict[str, tuple[frozenset[int], datetime.time | None, datetime.time | None]] = {
    TimeOfWeek.WEEKDAY_MORNING: (_WEEKDAYS, None, _NOON),
    TimeOfWeek.WEEKDAY_AFTERNOON: (_WEEKDAYS, _NOON, _FIVE_PM),
    TimeOfWeek.WEEKDAY_EVENING: (_WEEKDAYS, _FIVE_PM, None),
    TimeOfWeek.WEEKEND: (_WEEKEND, None, None),
}


@lru_cache(maxsize=1024)
def times_of_week(weekday: int, starts: datetime.time, ends: datetime.time) -> frozenset[str]:
    """The codes whose span a weekly window overlaps (shares some time with), if any.

    A window from 11:00 to 13:00 counts for weekday mornings and afternoons; one ending
    at 12:00 counts for mornings only.
    """
    return frozenset(
        code
        for code, (days, since, until) in _SPANS.items()
        if weekday in days
        and (until is None or starts < until)
        and (since is None or ends > since)
    )


def validate_times_of_week(value) -> None:
    """A list of ``TimeOfWeek`` codes."""
    if not isinstance(value, list) or any(code not in TIMES_OF_WEEK for code in value):
        raise ValidationError(
            _("Choose good times to meet from: %(codes)s."),
            code="times_of_week",
            params={"codes": ", ".join(TIMES_OF_WEEK)},
        )


class AvailabilityWindow(models.Model):
    """A weekly time when the supporter can meet people."""

    profile = models.ForeignKey(
        PeerSupporterProfile, on_delete=models.CASCADE, related_name="availability"
    )
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("until"))

    class Meta:
        ordering = ["weekday", "starts"]
        verbose_name = _("availability window")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends__gt=models.F("starts")), name="availability_ends_after"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts:%H:%M}–{self.ends:%H:%M}"

    @property
    def times_of_week(self) -> frozenset[str]:
        return times_of_week(self.weekday, self.starts, self.ends)


class SupporterConflict(models.Model):
    """Someone this supporter must not be matched with (a dual relationship)."""

    profile = models.ForeignKey(
        PeerSupporterProfile, on_delete=models.CASCADE, related_name="conflicts"
    )
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.CASCADE, related_name="supporter_conflicts"
    )
    reason = models.CharField(_("why"), max_length=200, blank=True)
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("declared conflict")
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "participant"], name="supporter_conflict_unique"
            )
        ]
