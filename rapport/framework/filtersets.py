"""FilterSets generated from model fields: one per record type, shared by API, UI and export."""

from __future__ import annotations

import copy
from typing import Any

import django_filters
from django.db import models
from django.http import QueryDict

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


class LeanFilterSet(django_filters.FilterSet):
    """A FilterSet that builds only the filters a request uses.

    Record types declare a filter for every field and lookup (hundreds, some with long choice
    lists); copying and binding all of them on every request cost more than the query itself.
    The declared set stays complete for validation of what is sent and for the OpenAPI schema.
    """

    def __init__(
        self,
        data: Any = None,
        queryset: Any = None,
        *,
        request: Any = None,
        prefix: str | None = None,
    ) -> None:
        # django_filters.FilterSet.__init__, except that only the requested filters are copied.
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {
            name: copy.deepcopy(f) for name, f in self.base_filters.items() if name in self.data
        }
        for filter_ in self.filters.values():
            filter_.model = queryset.model
            filter_.parent = self

    @classmethod
    def filter_for_lookup(cls, field: Any, lookup_type: str) -> tuple[Any, dict[str, Any]]:
        """Foreign keys filter by the id as a plain value: django-filter's model choice would
        fetch the referenced row to validate it on every request, and access is decided by
        ``restrict`` anyway."""
        if isinstance(field, models.ForeignKey) and lookup_type in ("exact", "in"):
            target = field.target_field
            value_filter: Any = (
                django_filters.NumberFilter
                if isinstance(target, models.AutoField | models.BigAutoField | models.IntegerField)
                else django_filters.CharFilter
            )
            if lookup_type == "in":
                return type(
                    f"{value_filter.__name__}In", (django_filters.BaseInFilter, value_filter), {}
                ), {}
            return value_filter, {}
        return super().filter_for_lookup(field, lookup_type)  # type: ignore[no-any-return]


class RecordFilterSet(LeanFilterSet):
    """Filters every record type has: tags by name (``?tag=vip&tag=key``)."""

    tag = django_filters.CharFilter(method="filter_tag", label="tag")

    def filter_tag(self, queryset: models.QuerySet[Any], name: str, value: str) -> Any:
        for tag in self.data.getlist("tag") if hasattr(self.data, "getlist") else [value]:
            queryset = queryset.filter(tags__name=tag)
        return queryset
