"""Template helpers of the generated screens."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest

register = template.Library()


@register.simple_tag
def query_with(request: HttpRequest, **changes: Any) -> str:
    """The current query string with ``changes`` applied (None removes a parameter)."""
    params = request.GET.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()


@register.filter
def sort_param(column: Any, current: str) -> str:
    """The ordering a column header links to: ascending, or descending if already ascending."""
    return f"-{column.name}" if current == column.name else column.name
