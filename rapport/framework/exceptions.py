"""Errors raised by services; interfaces map them to problem documents or form errors."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class RecordNotFound(Exception):
    """A record that does not exist or that the actor may not see (the same answer for both)."""


class RecordPermissionDenied(Exception):
    """The actor may see the record but not perform the action."""

    def __init__(self, message: str = "", code: str = "permission_denied") -> None:
        super().__init__(message or str(_("You do not have permission to do this.")))
        self.code = code


def field_error(field: str, message: str, code: str) -> ValidationError:
    """A validation error for one field, with a stable code."""
    return ValidationError({field: ValidationError(message, code=code)})


__all__ = ["RecordNotFound", "RecordPermissionDenied", "ValidationError", "field_error"]
