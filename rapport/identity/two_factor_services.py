"""Writes and checks of two-factor sign-in: TOTP devices and recovery codes."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.framework.actor import Actor
from rapport.framework.audit import changelog_write
from rapport.framework.choices import ChangeAction
from rapport.framework.exceptions import RecordPermissionDenied
from rapport.identity import otp
from rapport.identity.models import (
    RecoveryCode,
    TotpDevice,
    User,
)
from rapport.identity.settings_services import _require_admin

# --- two-factor authentication ------------------------------------------------------------------


def _two_factor_snapshot(user: User) -> dict[str, Any]:
    codes = RecoveryCode.objects.filter(user=user)
    issued = codes.aggregate(issued=models.Max("created_at"))["issued"]
    return {
        "two_factor": TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists(),
        "recovery_codes_issued_at": issued.isoformat() if issued else None,
        "recovery_codes_unused": codes.filter(used_at__isnull=True).count(),
    }


def _two_factor_log(actor: Actor, user: User, before: dict[str, Any]) -> None:
    changelog_write(
        actor=actor,
        action=ChangeAction.UPDATE,
        record=user,
        object_id=user.pk,
        before=before,
        after=_two_factor_snapshot(user),
    )


def _require_self(actor: Actor, user: User, *, or_admin: bool = False) -> None:
    """Users change their own two-factor settings; administrators may only switch it off (for
    someone who lost their phone and their recovery codes)."""
    if actor.read_only:
        raise RecordPermissionDenied(_("This API token is read-only."), code="read_only_token")
    if actor.user is not None and actor.user.pk == user.pk:
        return
    if or_admin:
        _require_admin(actor)
        return
    raise RecordPermissionDenied(
        _("Only the user themselves may change their two-factor authentication."),
        code="two_factor_self_only",
    )


def _recovery_codes_issue(user: User) -> list[str]:
    """Replace ``user``'s recovery codes with new ones; returns them in clear (the only time)."""
    RecoveryCode.objects.filter(user=user).delete()
    now = timezone.now()
    codes = [otp.recovery_code_new() for _i in range(otp.RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(
            user=user,
            lookup=code[: otp.RECOVERY_LOOKUP_LENGTH],
            code_hash=make_password(code),
            created_at=now,
        )
        for code in codes
    )
    return [otp.recovery_code_for_display(code) for code in codes]


def totp_device_confirmed(user: User) -> TotpDevice | None:
    """The user's confirmed authenticator app, if two-factor authentication is on."""
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).first()


@transaction.atomic
def totp_device_begin(*, actor: Actor, user: User) -> TotpDevice:
    """Start setting up an authenticator app: an unconfirmed device with a fresh secret (replacing
    an earlier unconfirmed one). Two-factor authentication stays off until it is confirmed."""
    _require_self(actor, user)
    if totp_device_confirmed(user) is not None:
        raise ValidationError(
            _("Two-factor authentication is already on. Turn it off first."), code="two_factor_on"
        )
    device, _created = TotpDevice.objects.update_or_create(
        user=user,
        defaults={"secret": otp.totp_secret_new(), "confirmed_at": None, "last_used_step": 0},
    )
    return device


@transaction.atomic
def totp_device_confirm(*, actor: Actor, user: User, code: str) -> list[str]:
    """Turn two-factor authentication on once the user typed a current code from the new app;
    returns the ten recovery codes issued with it, in clear for the only time."""
    _require_self(actor, user)
    device = (
        TotpDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=True).first()
    )
    if device is None:
        raise ValidationError(
            {"code": ValidationError(_("Start the set-up again."), code="no_pending_device")}
        )
    step = otp.totp_matching_step(device.secret, otp.normalise_code(code))
    if step is None:
        raise ValidationError(
            {
                "code": ValidationError(
                    _("This code is not valid. Type the code your app shows now."),
                    code="invalid_code",
                )
            }
        )
    before = _two_factor_snapshot(user)
    device.confirmed_at = timezone.now()
    device.last_used_step = step
    device.save(update_fields=["confirmed_at", "last_used_step"])
    codes = _recovery_codes_issue(user)
    _two_factor_log(actor, user, before)
    return codes


@transaction.atomic
def totp_disable(*, actor: Actor, user: User) -> None:
    """Turn two-factor authentication off: remove the authenticator app and the recovery codes."""
    _require_self(actor, user, or_admin=True)
    before = _two_factor_snapshot(user)
    TotpDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    _two_factor_log(actor, user, before)


@transaction.atomic
def recovery_codes_regenerate(*, actor: Actor, user: User) -> list[str]:
    """Replace the recovery codes (all earlier ones stop working); returns the new ones."""
    _require_self(actor, user)
    if totp_device_confirmed(user) is None:
        raise ValidationError(_("Turn on two-factor authentication first."), code="two_factor_off")
    before = _two_factor_snapshot(user)
    codes = _recovery_codes_issue(user)
    _two_factor_log(actor, user, before)
    return codes


@transaction.atomic
def second_factor_verify(*, user: User, code: str) -> otp.SecondFactor | None:
    """Check a code typed at sign-in: a current code of the user's app that was not accepted
    before, or one of their unused recovery codes (used up by this call). None if neither."""
    device = totp_device_confirmed(user)
    if device is None:
        return None
    typed = otp.normalise_code(code)
    step = otp.totp_matching_step(device.secret, typed)
    if step is not None:
        # A conditional update, so that two requests with one code cannot both succeed.
        accepted = TotpDevice.objects.filter(pk=device.pk, last_used_step__lt=step).update(
            last_used_step=step
        )
        return otp.SecondFactor.TOTP if accepted else None
    if not otp.is_recovery_code(typed):
        return None
    candidates = RecoveryCode.objects.filter(
        user=user, lookup=typed[: otp.RECOVERY_LOOKUP_LENGTH], used_at__isnull=True
    )
    for candidate in candidates:
        if check_password(typed, candidate.code_hash):
            before = _two_factor_snapshot(user)
            used = RecoveryCode.objects.filter(pk=candidate.pk, used_at__isnull=True).update(
                used_at=timezone.now()
            )
            if not used:
                return None
            _two_factor_log(Actor(user=user), user, before)
            return otp.SecondFactor.RECOVERY_CODE
    return None
