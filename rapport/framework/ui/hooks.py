"""Extension points of the generated screens for apps the framework must not import.

``on_record_viewed(fn)`` registers ``fn(*, user, record_type, record)``, called each time a
record page is shown (the workspace remembers recently viewed records this way).
"""

from __future__ import annotations

from collections.abc import Callable
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
