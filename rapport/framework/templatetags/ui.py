"""Template helpers of the generated screens."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest
from django.utils.translation import gettext as _

from rapport.framework.numbers import number_text
from rapport.identity.models import Team, User

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


@register.simple_tag
def filter_choices(field: Any) -> list[tuple[str, str]]:
    """The values a filter-builder row offers for ``field`` (a querying.FilterField): its
    choices, or the active users ("me" first) or the teams for a user or team field."""
    if field.kind == "user":
        users = User.objects.filter(is_active=True).order_by("username")
        return [("me", str(_("Me"))), *((str(u.pk), str(u)) for u in users)]
    if field.kind == "team":
        return [(str(t.pk), t.name) for t in Team.objects.order_by("name")]
    return list(field.choices)


@register.filter
def number(value: Any, places: Any = None) -> str:
    """``{{ count|number }}``: grouped digits in the reader's language (262,635)."""
    if value is None or value == "":
        return ""
    return number_text(value, None if places is None else int(places))
