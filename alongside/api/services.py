"""API token lifecycle: issue, authenticate, revoke."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.api.models import ApiToken, Scope, default_scopes
from alongside.audit.services import event_record

# Touch last_used_at at most this often, so reads do not each cost a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# What the tokens page offers, and its default (issue 7): a forgotten token dies on its own.
PERSONAL_LIFETIMES_DAYS = (30, 90, 365)
PERSONAL_DEFAULT_DAYS = 90
NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length


class TokenExpired(Exception):
    """The token exists but its time is over; the caller should create a new one."""

    def __init__(self, token: ApiToken):
        self.token = token
        when = token.expires_at.astimezone(datetime.UTC)
        super().__init__(f"This token expired on {when:%Y-%m-%d %H:%M} UTC. Create a new one.")


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def scopes_clean(scopes: Iterable[str] | None) -> list[str]:
    """The scopes in canonical order; unknown names or none at all are refused (422)."""
    if scopes is None:
        return default_scopes()
    if isinstance(scopes, str):
        scopes = [scopes]
    wanted = set(scopes)
    unknown = sorted(wanted - set(Scope.values))
    if unknown:
        raise ValidationError(
            {
                "scopes": _("Unknown scope %(names)s: use %(known)s.")
                % {"names": ", ".join(unknown), "known": ", ".join(Scope.values)}
            }
        )
    if not wanted:
        raise ValidationError({"scopes": _("Choose at least one scope.")})
    return [s for s in Scope.values if s in wanted]


def api_token_issue(
    *,
    user,
    name: str = "",
    scopes: Iterable[str] | None = None,
    expires_at: datetime.datetime | None = None,
) -> str:
    """Create a token for ``user``; the raw value is returned once and never stored.

    Without ``scopes`` it reads and writes (as tokens did before scopes); without
    ``expires_at`` it never expires: callers offering a choice pass one (the page's
    default is 90 days).
    """
    scopes = scopes_clean(scopes)
    name = (name or "").strip()
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError(
            {"name": _("Use at most %(n)d characters.") % {"n": NAME_MAX_LENGTH}}
        )
    if "\x00" in name:
        raise ValidationError({"name": _("The name must not contain NUL characters.")})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry must be in the future.")})
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, hashed_key=hash_token(raw), name=name, scopes=scopes, expires_at=expires_at
        )
        event_record(
            actor=user,
            organization=None,
            action="api_token.issued",
            obj=token,
            data=_described(token),
        )
    return raw


def api_token_authenticate(raw: str) -> ApiToken | None:
    """The token with this raw value if it exists and its user is active, else None.

    Raises TokenExpired for a known token past its expiry, so the caller can say so.
    """
    if not raw:
        return None
    token = ApiToken.objects.select_related("user").filter(hashed_key=hash_token(raw)).first()
    if token is None or not token.user.is_active:
        return None
    if token.expired:
        raise TokenExpired(token)
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def api_tokens_of(user):
    """A user's own tokens, newest first: the only ones they may see or revoke."""
    return ApiToken.objects.filter(user=user)


def api_token_revoke(*, token: ApiToken, actor) -> None:
    """Delete the token; the audit event keeps what it was (name, scopes, expiry)."""
    with transaction.atomic():
        event_record(
            actor=actor,
            organization=None,
            action="api_token.revoked",
            obj=token,
            data=_described(token),
        )
        token.delete()


def _described(token: ApiToken) -> dict:
    return {
        "name": token.name,
        "scopes": list(token.scopes),
        "expires_at": token.expires_at.isoformat() if token.expires_at else None,
    }
