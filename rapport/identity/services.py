"""Writes of the identity app: API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from rapport.identity.choices import TokenScope
from rapport.identity.models import ApiToken, User

TOKEN_PREFIX = "rpt"


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown once, never stored


def token_hash(secret: str) -> str:
    # The secret has 256 bits of entropy, so a fast hash suffices (no password stretching).
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *, user: User, name: str, scope: TokenScope = TokenScope.READ,
    expires_at: dt.datetime | None = None,
) -> IssuedToken:
    """Issue a personal API token; the returned secret is the only copy."""
    prefix = secrets.token_hex(6)
    key = secrets.token_urlsafe(32)
    secret = f"{TOKEN_PREFIX}_{prefix}_{key}"
    token = ApiToken.objects.create(user=user, name=name, prefix=prefix,
                                    key_hash=token_hash(secret), scope=scope,
                                    expires_at=expires_at)
    return IssuedToken(token=token, secret=secret)


def api_token_revoke(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def api_token_resolve(secret: str) -> ApiToken | None:
    """The live token for ``secret``, or None if unknown, revoked or expired."""
    parts = secret.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.key_hash, token_hash(secret)):
        return None
    now = timezone.now()
    if token.revoked_at is not None or (token.expires_at is not None and token.expires_at <= now):
        return None
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        # At most one write a minute per token, so busy clients do not write on every call.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
