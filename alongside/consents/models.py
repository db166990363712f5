"""Authorizations to release information (consents) and the disclosures made under them.

The elements a consent must hold follow 42 CFR §2.31 (as amended in 2024); the notice a
disclosure carries follows §2.32. docs/consents.md explains each choice.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    """What kind of information a consent lets us release."""

    ATTENDANCE = "attendance", _("Attendance (when we met and how)")
    GOALS = "goals", _("Goals and plans")
    NOTES = "notes", _("Meeting notes")
    SURVEYS = "surveys", _("Survey results")
    EMERGENCY_PLAN = "emergency_plan", _("Emergency plan")
    ASSESSMENTS = "assessments", _("Assessments and tiers")
    REFERRAL = "referral", _("Referral information")
    OTHER = "other", _("Other (described below)")


class Purpose(models.TextChoices):
    AT_REQUEST = "at_request", _("At my request")
    TREATMENT = "treatment", _("Treatment and care coordination")
    PAYMENT = "payment", _("Payment")
    OPERATIONS = "operations", _("Health care operations")
    BENEFITS = "benefits", _("Benefits, housing or employment")
    LEGAL = "legal", _("Court, probation or other legal matters")
    FAMILY = "family", _("Keeping family or friends informed")
    OTHER = "other", _("Other (described below)")


TPO_PURPOSES = (Purpose.TREATMENT, Purpose.PAYMENT, Purpose.OPERATIONS)


class RecipientKind(models.TextChoices):
    """How the recipients are designated: by name, or by a general designation."""

    NAMED = "named", _("A named person or organization")
    TREATING = "treating", _("My treating providers (general designation)")
    TPO = (
        "tpo",
        _(
            "My treating providers, health plans, third-party payers, and people helping "
            "to operate this program (only for a consent covering treatment, payment and "
            "health care operations)"
        ),
    )


class Relationship(models.TextChoices):
    """What a recipient of a disclosure is to the participant."""

    OTHER = "other", _("No treating relationship (family, employer, court, agency…)")
    TREATING = "treating", _("A treating provider of the participant")
    PAYER = "payer", _("A health plan or third-party payer")
    OPERATIONS = "operations", _("Someone helping to operate this program")


# Who a general designation reaches.
DESIGNATION_REACHES = {
    RecipientKind.TREATING: {Relationship.TREATING},
    RecipientKind.TPO: {Relationship.TREATING, Relationship.PAYER, Relationship.OPERATIONS},
}


class SignatureMethod(models.TextChoices):
    PAPER = "paper", _("Signed on paper, recorded by staff")
    PORTAL = "portal", _("Signed in the portal")


class RevocationMethod(models.TextChoices):
    PORTAL = "portal", _("Revoked by the participant in the portal")
    WRITTEN = "written", _("Revoked in writing, recorded by staff")
    CONDITION = "condition", _("The expiry event or condition occurred, recorded by staff")


class ConsentStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class Consent(models.Model):
    """An Authorization to Release Information, as the participant signed it.

    A consent is never edited after it is saved: it is revoked (or expires) and a new
    one is made. Statements shown to the participant are kept as the text they saw.
    """

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="consents"
    )
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="consents"
    )
    engagement = models.ForeignKey(
        "engagements.Engagement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consents",
        help_text=_("The engagement it was made in, if any."),
    )
    # §2.31(a)(1)
    participant_name = models.CharField(_("participant's name"), max_length=200)
    # §2.31(a)(2)
    discloser = models.CharField(
        _("who may release the information"),
        max_length=300,
        help_text=_("The specific name or general designation of the program or organization."),
    )
    # §2.31(a)(3)
    categories = models.JSONField(_("kinds of information"), default=list)
    other_description = models.CharField(
        _("other information, described"), max_length=500, blank=True
    )
    amount = models.CharField(
        _("how much information"),
        max_length=500,
        help_text=_("For example: 'the last six months', 'a summary only', 'dates of meetings'."),
    )
    # §2.31(a)(4)
    recipient_kind = models.CharField(
        _("recipients are"), max_length=20, choices=RecipientKind.choices
    )
    recipient_name = models.CharField(
        _("recipient's name"),
        max_length=300,
        blank=True,
        help_text=_("The person or organization, by name."),
    )
    # §2.31(a)(5)
    purposes = models.JSONField(_("purposes"), default=list)
    purpose_detail = models.CharField(_("purpose, in words"), max_length=500, blank=True)
    covers_tpo = models.BooleanField(
        _("covers treatment, payment and health care operations"), default=False
    )
    # §2.31(a)(6)
    revocation_statement = models.TextField(_("right to revoke, as stated"))
    # §2.31(a)(7)
    expires_on = models.DateField(
        _("expires on"),
        null=True,
        blank=True,
        help_text=_("It stops covering disclosures at the start of this day."),
    )
    expiry_event = models.CharField(
        _("or expires upon (event or condition)"), max_length=500, blank=True
    )
    # §2.31(a)(8), (9)
    signature_method = models.CharField(
        _("how it was signed"), max_length=20, choices=SignatureMethod.choices
    )
    signature_name = models.CharField(_("signed by (full name as signed)"), max_length=200)
    signed_on = models.DateField(_("signed on"))
    signed_by_guardian = models.BooleanField(
        _("signed by a guardian or authorized representative"), default=False
    )
    guardian_name = models.CharField(_("guardian's name"), max_length=200, blank=True)
    guardian_relationship = models.CharField(
        _("guardian's relationship or authority"), max_length=200, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    # §2.31(a)(10), only when covers_tpo
    tpo_redisclosure_statement = models.TextField(
        _("statement on redisclosure under HIPAA"), blank=True
    )
    tpo_proceedings_statement = models.TextField(
        _("statement on use in proceedings against the participant"), blank=True
    )
    # Revocation (or the expiry event, recorded)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    revocation_method = models.CharField(
        _("how it was revoked"), max_length=20, choices=RevocationMethod.choices, blank=True
    )
    revocation_note = models.CharField(_("revocation note"), max_length=500, blank=True)

    class Meta:
        ordering = ["-signed_on", "-id"]
        verbose_name = _("authorization to release information")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=False) | ~models.Q(expiry_event=""),
                name="consent_has_expiry",
            ),
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True)
                | (models.Q(revoked_by__isnull=False) & ~models.Q(revocation_method="")),
                name="consent_revocation_complete",
            ),
        ]
        indexes = [models.Index(fields=["participant", "signed_on"])]

    def __str__(self) -> str:
        return f"{self.participant_name} → {self.recipients_display}"

    @property
    def recipients_display(self) -> str:
        if self.recipient_kind == RecipientKind.NAMED:
            return self.recipient_name
        return str(RecipientKind(self.recipient_kind).label)

    @property
    def category_labels(self) -> list[str]:
        labels = []
        for code in self.categories:
            if code == Category.OTHER and self.other_description:
                labels.append(f"{_('Other')}: {self.other_description}")
            elif code in Category.values:
                labels.append(str(Category(code).label))
        return labels

    @property
    def purpose_labels(self) -> list[str]:
        return [str(Purpose(code).label) for code in self.purposes if code in Purpose.values]

    def expires_at(self) -> datetime.datetime | None:
        """The moment the expiry date takes effect: the start of that day, local time."""
        if self.expires_on is None:
            return None
        start = datetime.datetime.combine(self.expires_on, datetime.time.min)
        return timezone.make_aware(start)

    def is_active(self, at: datetime.datetime | None = None) -> bool:
        """Whether the consent covers a disclosure made at ``at`` (default: now)."""
        at = at or timezone.now()
        if self.revoked_at is not None and self.revoked_at <= at:
            return False
        expires = self.expires_at()
        return expires is None or at < expires

    def status(self, at: datetime.datetime | None = None) -> str:
        at = at or timezone.now()
        if self.revoked_at is not None and self.revoked_at <= at:
            return ConsentStatus.REVOKED
        if not self.is_active(at):
            return ConsentStatus.EXPIRED
        return ConsentStatus.ACTIVE

    def status_label(self) -> str:
        return str(ConsentStatus(self.status()).label)

    def reaches(self, name: str, relationship: str) -> bool:
        """Whether a recipient of that name and relationship is one this consent designates."""
        if self.recipient_kind == RecipientKind.NAMED:
            return _same_name(self.recipient_name, name)
        return relationship in DESIGNATION_REACHES.get(RecipientKind(self.recipient_kind), set())

    def covers_purpose(self, purpose: str) -> bool:
        return purpose in self.purposes

    def missing_categories(self, categories) -> list[str]:
        return [code for code in categories if code not in self.categories]


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold() != ""


class Disclosure(models.Model):
    """One release of information outside the team: the accounting of disclosures."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="disclosures"
    )
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="disclosures"
    )
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="disclosures")
    engagement = models.ForeignKey(
        "engagements.Engagement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disclosures",
    )
    recipient_name = models.CharField(_("recipient"), max_length=300)
    recipient_relationship = models.CharField(
        _("recipient is"), max_length=20, choices=Relationship.choices
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    categories = models.JSONField(_("kinds of information"), default=list)
    content = models.TextField(_("what was released"))
    notice = models.TextField(_("re-disclosure notice stamped on it"))
    scope = models.TextField(_("explanation of the consent's scope sent with it"))
    disclosed_at = models.DateTimeField(_("released at"), default=timezone.now)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-disclosed_at", "-id"]
        verbose_name = _("disclosure")
        indexes = [models.Index(fields=["participant", "disclosed_at"])]

    def __str__(self) -> str:
        return f"{self.recipient_name} ({self.disclosed_at:%Y-%m-%d})"

    @property
    def category_labels(self) -> list[str]:
        return [str(Category(code).label) for code in self.categories if code in Category.values]

    @property
    def released_text(self) -> str:
        """What the recipient receives: the information, the notice, the consent's scope."""
        return f"{self.content}\n\n{self.notice}\n\n{self.scope}"
