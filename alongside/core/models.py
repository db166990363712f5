"""Shared model parts."""

from django.db import models


class Versioned(models.Model):
    """A record whose edits are checked against the version that was read."""

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True
