"""Audit events (what changed) and the access log (who read what)."""

from django.conf import settings
from django.db import models


class AppendOnlyError(Exception):
    """An attempt to change or delete a row of an append-only log."""


def _refuse(model: type[models.Model], what: str) -> AppendOnlyError:
    return AppendOnlyError(
        f"{model._meta.label} is append-only: {what} is refused. Record a new row instead; "
        "a retention purge, if ever needed, must be its own audited service."
    )


class AppendOnlyQuerySet(models.QuerySet):
    """Refuses bulk changes. Rows are only ever created (and sealed, see audit.chain)."""

    def update(self, **kwargs):
        raise _refuse(self.model, "update()")

    def bulk_update(self, objs, fields, batch_size=None):
        raise _refuse(self.model, "bulk_update()")

    def update_or_create(self, *args, **kwargs):
        raise _refuse(self.model, "update_or_create()")

    def delete(self):
        # Purging past a retention period, when it comes, is its own audited service.
        raise _refuse(self.model, "delete()")


class AppendOnlyModel(models.Model):
    """Rows are created once; saving an existing row or deleting one is refused."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise _refuse(type(self), "save() of an existing row")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise _refuse(type(self), "delete()")


class AuditEvent(AppendOnlyModel):
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


class AccessLog(AppendOnlyModel):
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
    # Set by audit.chain.chain_seal, never at request time: a request stays one INSERT.
    seq = models.BigIntegerField(null=True, blank=True, unique=True, editable=False)
    hash = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["actor", "at"])]


class AccessLogParticipant(AppendOnlyModel):
    """One row per participant per access-log row: finds a person's openings by index.

    ``AccessLog.participant_ids`` is a JSON list (no portable index, no ``contains`` on
    SQLite); this side table is written in the same transaction as the log row
    (audit.services.access_log_write) and is not part of the hash chain: the chained row
    stays the record, this is only its index.
    """

    log = models.ForeignKey(AccessLog, on_delete=models.PROTECT, related_name="+")
    participant_id = models.BigIntegerField()
    # Copied from the log row so one index answers "who opened this person's record, newest
    # first, apart from themselves" without reading the log table first.
    actor_id = models.BigIntegerField(null=True)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["participant_id", "at"], name="accesslog_participant_at")]
        constraints = [
            models.UniqueConstraint(
                fields=["log", "participant_id"], name="accesslog_participant_once"
            )
        ]


class AccessLogChainHead(models.Model):
    """The one row (pk=1) holding the last sealed seq and hash; sealers lock it."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, blank=True, default="")
    sealed_at = models.DateTimeField(null=True, blank=True)
