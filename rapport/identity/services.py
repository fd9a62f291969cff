"""Writes of the identity app: API tokens and record sharing. The administrator's users, teams,
roles and sharing defaults are in ``settings_services``; two-factor sign-in in
``two_factor_services``."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.framework.actor import Actor
from rapport.framework.audit import changelog_write
from rapport.framework.base_models import restricted
from rapport.framework.choices import ChangeAction
from rapport.framework.exceptions import RecordNotFound, RecordPermissionDenied
from rapport.identity.choices import ShareLevel, TokenScope
from rapport.identity.models import (
    ApiToken,
    RecordShare,
    Team,
    User,
)

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
    *,
    user: User,
    name: str,
    scope: TokenScope = TokenScope.READ,
    expires_at: dt.datetime | None = None,
) -> IssuedToken:
    """Issue a personal API token; the returned secret is the only copy."""
    prefix = secrets.token_hex(6)
    key = secrets.token_urlsafe(32)
    secret = f"{TOKEN_PREFIX}_{prefix}_{key}"
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=prefix,
        key_hash=token_hash(secret),
        scope=scope,
        expires_at=expires_at,
    )
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


def _share_snapshot(content_type: ContentType, object_id: int) -> list[str]:
    return sorted(
        f"{'user' if s.user_id else 'team'}:{s.user_id or s.team_id}:{s.level}"
        for s in RecordShare.objects.filter(content_type=content_type, object_id=object_id)
    )


def _share_precheck(actor: Actor, record: models.Model) -> ContentType:
    if actor.read_only or actor.user is None:
        raise RecordPermissionDenied(_("This API token is read-only."), code="read_only_token")
    model = type(record)
    if not restricted(model, actor.user, "change").filter(pk=record.pk).exists():
        if not restricted(model, actor.user, "view").filter(pk=record.pk).exists():
            raise RecordNotFound()
        raise RecordPermissionDenied(
            _("Only those who may change a record may share it."), code="share_denied"
        )
    return ContentType.objects.get_for_model(model)


@transaction.atomic
def record_share_grant(
    *,
    actor: Actor,
    record: models.Model,
    user: User | None = None,
    team: Team | None = None,
    level: ShareLevel = ShareLevel.READ,
) -> RecordShare:
    """Share ``record`` with one user or one team (replacing an earlier share's level)."""
    if (user is None) == (team is None):
        raise ValidationError(
            {
                "user": ValidationError(
                    _("Share with either a user or a team."), code="user_xor_team"
                )
            }
        )
    content_type = _share_precheck(actor, record)
    before = _share_snapshot(content_type, record.pk)
    share, _created = RecordShare.objects.update_or_create(
        content_type=content_type,
        object_id=record.pk,
        user=user,
        team=team,
        defaults={"level": level},
    )
    changelog_write(
        actor=actor,
        action=ChangeAction.UPDATE,
        record=record,
        object_id=record.pk,
        before={"shares": before},
        after={"shares": _share_snapshot(content_type, record.pk)},
    )
    return share


@transaction.atomic
def record_share_revoke(*, actor: Actor, record: models.Model, share: RecordShare) -> None:
    content_type = _share_precheck(actor, record)
    if share.content_type_id != content_type.pk or share.object_id != record.pk:
        raise RecordNotFound()
    before = _share_snapshot(content_type, record.pk)
    share.delete()
    changelog_write(
        actor=actor,
        action=ChangeAction.UPDATE,
        record=record,
        object_id=record.pk,
        before={"shares": before},
        after={"shares": _share_snapshot(content_type, record.pk)},
    )
