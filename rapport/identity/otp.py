"""Time-based one-time passwords (RFC 6238) and recovery codes: secrets, QR codes and checks.
Nothing here writes to the database; the services in ``services.py`` do."""

from __future__ import annotations

import hmac
import re
import secrets
import time
from enum import StrEnum

import pyotp
import segno

# Codes of the step before and after the current one are accepted too: phone clocks drift.
VALID_WINDOW = 1
ISSUER = "Rapport"
RECOVERY_CODE_COUNT = 10
# No 0/o, 1/l/i: recovery codes are read off paper and typed by hand.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_LOOKUP_LENGTH = 4
_TOTP_CODE = re.compile(r"^\d{6}$")
_RECOVERY_CODE = re.compile(r"^[a-z0-9]{12}$")


def totp_secret_new() -> str:
    """A fresh random base32 secret (160 bits)."""
    return pyotp.random_base32(32)


def totp_provisioning_uri(secret: str, account_name: str) -> str:
    """The ``otpauth://`` URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=account_name, issuer_name=ISSUER)


def qr_svg_data_uri(data: str) -> str:
    """A QR code of ``data`` as an SVG ``data:`` URI (images from data: are allowed by the CSP)."""
    return str(segno.make(data, error="m").svg_data_uri(scale=5, border=4, light="white"))


def secret_for_display(secret: str) -> str:
    """The secret in groups of four characters, for typing into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def normalise_code(code: str) -> str:
    """A typed code without spaces and hyphens, in lower case."""
    return re.sub(r"[\s-]", "", code).lower()


def is_totp_code(code: str) -> bool:
    return bool(_TOTP_CODE.match(code))


def is_recovery_code(code: str) -> bool:
    return bool(_RECOVERY_CODE.match(code))


def totp_matching_step(secret: str, code: str, at: float | None = None) -> int | None:
    """The time step (within ``VALID_WINDOW`` of now) whose code is ``code``, or None.
    The caller refuses a step it has already accepted, so that a code works only once."""
    if not is_totp_code(code):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(time.time() if at is None else at)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def recovery_code_new() -> str:
    """A recovery code of 12 characters (60 bits); the first four are stored in clear to find
    its hash without checking every hash."""
    return "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(12))


def recovery_code_for_display(code: str) -> str:
    return f"{code[0:4]}-{code[4:8]}-{code[8:12]}"


class SecondFactor(StrEnum):
    """What proved the second factor at sign-in."""

    TOTP = "totp"
    RECOVERY_CODE = "recovery_code"
