"""A service's refusal shown to the person who asked: on the form they sent, or as a message.

Screens call one service and render; what the service refuses (a ``ValidationError`` naming
fields, or ``RecordPermissionDenied``) goes back to the user the same way on every screen::

    with refusal_on_form(form) as refused:
        team = team_create(actor=actor, ...)
    if not refused:
        return redirect(...)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from rapport.framework.exceptions import RecordPermissionDenied


class Refusal:
    """Truthy when the service refused."""

    def __init__(self) -> None:
        self.refused = False

    def __bool__(self) -> bool:
        return self.refused


@contextmanager
def refusal_on_form(form: Any) -> Iterator[Refusal]:
    """Field errors beside their fields (``form.service_errors``), a denial above the form."""
    refusal = Refusal()
    try:
        yield refusal
    except ValidationError as exc:
        form.service_errors(exc)
        refusal.refused = True
    except RecordPermissionDenied as exc:
        form.add_error(None, str(exc))
        refusal.refused = True


@contextmanager
def refusal_as_message(request: HttpRequest) -> Iterator[Refusal]:
    """The refusal as an error message on the next page."""
    refusal = Refusal()
    try:
        yield refusal
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        refusal.refused = True
    except RecordPermissionDenied as exc:
        messages.error(request, str(exc))
        refusal.refused = True
