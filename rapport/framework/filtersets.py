"""FilterSets generated from model fields: one per record type, shared by API, UI and export."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db import models

TEXT = ["exact", "iexact", "icontains", "istartswith", "in", "isnull"]
NUMBER = ["exact", "gt", "gte", "lt", "lte", "in", "isnull"]
RELATION = ["exact", "in", "isnull"]
CHOICE = ["exact", "in"]


def field_lookups(model: type[models.Model], exclude: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """Lookups for every concrete field of ``model`` by its type."""
    lookups: dict[str, list[str]] = {}
    for f in model._meta.concrete_fields:
        if f.name in exclude or isinstance(f, models.JSONField):
            continue
        if f.choices:
            lookups[f.name] = CHOICE + (["isnull"] if f.null else [])
        elif f.is_relation:
            lookups[f.name] = RELATION
        elif isinstance(f, models.BooleanField):
            lookups[f.name] = ["exact"]
        elif isinstance(f, (models.CharField, models.TextField)):
            lookups[f.name] = TEXT
        else:
            lookups[f.name] = NUMBER
    return lookups


class RecordFilterSet(django_filters.FilterSet):
    """Filters every record type has: tags by name (``?tag=vip&tag=key``)."""

    tag = django_filters.CharFilter(method="filter_tag", label="tag")

    def filter_tag(self, queryset: models.QuerySet[Any], name: str, value: str) -> Any:
        for tag in self.data.getlist("tag") if hasattr(self.data, "getlist") else [value]:
            queryset = queryset.filter(tags__name=tag)
        return queryset
