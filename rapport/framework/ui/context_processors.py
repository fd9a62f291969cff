"""Template context of the app shell."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from rapport.framework.ui.nav import navigation


def shell(request: HttpRequest) -> dict[str, Any]:
    """The navigation for signed-in users; computed lazily, only pages with the shell use it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_areas": lambda: navigation(user)}
