"""Template context of the app shell's notification bell."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from rapport.workspace.selectors import attention_count


def attention(request: HttpRequest) -> dict[str, Any]:
    """``attention_count``: computed on first use only (pages without the shell never pay),
    and once per request however often the template reads it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def count() -> int:
        return attention_count(user=user, now=timezone.now())

    return {"attention_count": count}
