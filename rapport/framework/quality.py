"""Data-quality checks declared per record type: counted on the data-quality endpoint and
usable as a list filter (``?quality=<key>``), so every count links to its records."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import Lower
from django.utils.functional import Promise


@dataclass(frozen=True)
class QualityCheck:
    key: str
    label: str | Promise
    apply: Callable[[QuerySet[Any]], QuerySet[Any]]


def shared_values(queryset: QuerySet[Any], column: str, owner: str = "pk") -> QuerySet[Any]:
    """Values of ``column`` (compared case-insensitively) held by more than one ``owner``:
    the subquery behind "duplicate email"-style checks."""
    return (
        queryset.exclude(**{column: ""})
        .annotate(_value=Lower(column))
        .values("_value")
        .annotate(_holders=Count(owner, distinct=True))
        .filter(_holders__gt=1)
        .values("_value")
    )
