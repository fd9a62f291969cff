"""Extension points of the generated screens for apps the framework must not import.

``on_record_viewed(fn)`` registers ``fn(*, user, record_type, record)``, called each time a
record page is shown (the workspace remembers recently viewed records this way).

``record_panel(RecordPanel(keys, template, context))`` adds a panel to the record pages of the
record types ``keys``: ``context(*, user, record_type, record)`` returns the template's
context, or None to show nothing (lead scores come this way).

``on_create_form(fn)`` registers ``fn(*, user, record_type, initial)``, which may change the
initial values of a new record's form (leads leave the owner empty for the assignment rules).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models

from rapport.framework.registry import RecordType

RecordViewed = Callable[..., None]
_viewed: list[RecordViewed] = []


def on_record_viewed(hook: RecordViewed) -> RecordViewed:
    if hook not in _viewed:
        _viewed.append(hook)
    return hook


def record_viewed(*, user: Any, record_type: RecordType, record: models.Model) -> None:
    for hook in _viewed:
        hook(user=user, record_type=record_type, record=record)


@dataclass(frozen=True)
class RecordPanel:
    keys: tuple[str, ...]
    template: str
    context: Callable[..., dict[str, Any] | None]
    order: int = 100


@dataclass(frozen=True)
class ShownPanel:
    template: str
    context: dict[str, Any]


_panels: list[RecordPanel] = []


def record_panel(panel: RecordPanel) -> RecordPanel:
    if panel not in _panels:
        _panels.append(panel)
    return panel


def record_panels(*, user: Any, record_type: RecordType, record: models.Model) -> list[ShownPanel]:
    """The extra panels of a record page, in their order; each template gets ``panel``."""
    shown = []
    for panel in sorted(_panels, key=lambda p: p.order):
        if record_type.key in panel.keys:
            context = panel.context(user=user, record_type=record_type, record=record)
            if context is not None:
                shown.append(ShownPanel(panel.template, context))
    return shown


CreateForm = Callable[..., None]
_create_form: list[CreateForm] = []


def on_create_form(hook: CreateForm) -> CreateForm:
    if hook not in _create_form:
        _create_form.append(hook)
    return hook


def create_form_initial(*, user: Any, record_type: RecordType, initial: dict[str, Any]) -> None:
    for hook in _create_form:
        hook(user=user, record_type=record_type, initial=initial)
