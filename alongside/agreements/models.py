"""Agreements a program requires, and the record that each was signed."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class AgreementKind(models.Model):
    """A form the organization uses (e.g. Release of Liability)."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="agreement_kinds"
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("agreement kind")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="agreement_kind_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class AgreementRecord(models.Model):
    """That an agreement was signed for an engagement, and when."""

    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="agreements"
    )
    kind = models.ForeignKey(AgreementKind, on_delete=models.PROTECT, related_name="records")
    signed_on = models.DateField(_("signed on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["engagement", "kind"], name="agreement_record_unique_kind"
            )
        ]
