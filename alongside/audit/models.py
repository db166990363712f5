"""Audit events (what changed) and the access log (who read what)."""

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """A domain change with a dotted name, e.g. ``engagement.activated``."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, null=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]


class AccessLog(models.Model):
    """One row per request that read participant records: who, what, when, why."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, null=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    what = models.CharField(max_length=200)
    participant_ids = models.JSONField(default=list)
    reason = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["actor", "at"])]
