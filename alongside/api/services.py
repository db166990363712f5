"""API token lifecycle: issue, authenticate, revoke."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from alongside.api.models import ApiToken
from alongside.audit.services import event_record

# Touch last_used_at at most this often, so reads do not each cost a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_issue(*, user) -> str:
    """Create a token for ``user``; the raw value is returned once and never stored."""
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, hashed_key=hash_token(raw))
        event_record(actor=user, organization=None, action="api_token.issued", obj=token)
    return raw


def api_token_authenticate(raw: str) -> ApiToken | None:
    """The token with this raw value if it exists and its user is active, else None."""
    if not raw:
        return None
    token = ApiToken.objects.select_related("user").filter(hashed_key=hash_token(raw)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def api_token_revoke(*, token: ApiToken, actor) -> None:
    with transaction.atomic():
        event_record(actor=actor, organization=None, action="api_token.revoked", obj=token)
        token.delete()
