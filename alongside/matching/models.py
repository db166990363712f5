"""What matching weighs per program, what a participant declined, and batch proposals."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MatchingWeights(models.Model):
    """How much each kind of fit counts in a program's match score; admins tune them."""

    program = models.OneToOneField(
        "organizations.Program", on_delete=models.CASCADE, related_name="matching_weights"
    )
    # The participant's own wishes weigh most by default (mutuality).
    language = models.PositiveSmallIntegerField(_("shared language"), default=40)
    lived_experience = models.PositiveSmallIntegerField(
        _("each lived-experience area they asked for"), default=15
    )
    lived_experience_max = models.PositiveSmallIntegerField(
        _("lived experience, at most"), default=45
    )
    gender = models.PositiveSmallIntegerField(_("gender as preferred"), default=20)
    place = models.PositiveSmallIntegerField(_("meets where they asked"), default=15)
    availability = models.PositiveSmallIntegerField(_("available when they asked"), default=10)
    capacity = models.PositiveSmallIntegerField(_("room in the caseload"), default=10)

    class Meta:
        verbose_name = _("matching weights")
        verbose_name_plural = _("matching weights")

    def __str__(self) -> str:
        return str(self.program)


class DeclinedSupporter(models.Model):
    """A participant said no to a proposed supporter; never held against them."""

    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.CASCADE, related_name="declined_supporters"
    )
    supporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("what they said (optional)"), max_length=400, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "supporter"], name="declined_supporter_unique"
            )
        ]


class MatchBatch(models.Model):
    """A proposed assignment of many referrals, reviewed before it is confirmed."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        CONFIRMED = "confirmed", _("Confirmed")
        DISCARDED = "discarded", _("Discarded")

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    # [{"referral": id, "supporter": user id or null, "score": n, "reasons": [...]}]
    proposal = models.JSONField(default=list)
    total_score = models.IntegerField(default=0)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
