"""Filter backends shared by every record type: custom fields, full-text search, ordering."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import DecimalField, QuerySet, TextField
from django.db.models.fields.json import KT, KeyTransform
from django.db.models.functions import Cast
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend, OrderingFilter
from rest_framework.request import Request

from rapport.core.choices import CustomFieldType
from rapport.core.custom_fields import custom_field_value_clean, definitions_for
from rapport.core.models import CustomFieldDefinition
from rapport.framework.search import search_queryset

CF_PREFIX = "cf_"
_NUMERIC = {CustomFieldType.INTEGER, CustomFieldType.DECIMAL, CustomFieldType.MONEY}
_LOOKUPS = {"exact", "in", "gt", "gte", "lt", "lte", "icontains", "isnull"}


def _record_key(view: Any) -> str | None:
    rt = getattr(view, "record_type", None)
    return rt.key if rt is not None else None


def _cf_expression(name: str, kind: str) -> Any:
    if kind == CustomFieldType.BOOLEAN:
        # Compared as JSON: the text of a JSON true is "1" on SQLite but "true" on PostgreSQL.
        return KeyTransform(name, "custom_fields")
    text = KT(f"custom_fields__{name}")
    if kind in _NUMERIC:
        return Cast(text, DecimalField(max_digits=30, decimal_places=10))
    # A plain text expression: KT keeps the JSON lookups, whose exact/in/lt wrap the value in
    # JSON() and fail on SQLite ("malformed JSON").
    return Cast(text, TextField())


def _cf_value(defn: CustomFieldDefinition, raw: str, param: str) -> Any:
    kind = defn.field_type
    if kind in _NUMERIC:
        try:
            number = Decimal(raw)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise ValidationError({param: [_("Enter a number.")]})
        return number
    if kind == CustomFieldType.BOOLEAN:
        return raw.lower() in ("1", "true", "yes")
    if kind in (CustomFieldType.DATE, CustomFieldType.DATETIME):
        # The stored form (ISO, datetimes in UTC), so that the text comparison follows time.
        try:
            return custom_field_value_clean(defn, raw, None)
        except DjangoValidationError as exc:
            raise ValidationError({param: exc.messages}) from None
    return raw


class CustomFieldFilterBackend(BaseFilterBackend):
    """``?cf_<name>=v`` and ``?cf_<name>__<lookup>=v`` (gt, gte, lt, lte, in, icontains,
    isnull) over administrator-defined fields."""

    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> Any:
        key = _record_key(view)
        params = [p for p in request.query_params if p.startswith(CF_PREFIX)]
        if key is None or not params:
            return queryset
        definitions = definitions_for(key)
        for param in params:
            name, _sep, lookup = param[len(CF_PREFIX) :].partition("__")
            lookup = lookup or "exact"
            defn = definitions.get(name)
            if defn is None:
                raise ValidationError({param: [_("There is no custom field of this name.")]})
            if lookup not in _LOOKUPS:
                raise ValidationError(
                    {param: [_("Unknown lookup “%(lookup)s”.") % {"lookup": lookup}]}
                )
            raw = request.query_params[param]
            alias = f"_cf_{name}"
            queryset = queryset.alias(**{alias: _cf_expression(name, defn.field_type)})
            if lookup == "isnull":
                queryset = queryset.filter(**{f"{alias}__isnull": raw.lower() in ("1", "true")})
            elif lookup == "in":
                values = [_cf_value(defn, v, param) for v in raw.split(",")]
                queryset = queryset.filter(**{f"{alias}__in": values})
            elif defn.field_type == CustomFieldType.MULTIPLE_CHOICE:
                queryset = queryset.filter(**{f"{alias}__contains": f'"{raw}"'})
            else:
                queryset = queryset.filter(**{f"{alias}__{lookup}": _cf_value(defn, raw, param)})
        return queryset


class QualityFilterBackend(BaseFilterBackend):
    """``?quality=<check>``: the records failing one of the record type's data-quality
    checks (see ``/api/<type>/data-quality/``)."""

    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> Any:
        key = request.query_params.get("quality", "")
        rt = getattr(view, "record_type", None)
        if not key or rt is None:
            return queryset
        checks = {c.key: c for c in rt.quality_checks}
        if key not in checks:
            raise ValidationError(
                {
                    "quality": [
                        _("Unknown check; choose from %(keys)s.")
                        % {"keys": ", ".join(checks) or "-"}
                    ]
                }
            )
        return checks[key].apply(queryset)


class RecordSearchFilter(BaseFilterBackend):
    """``?q=`` full-text search through the search interface (rapport.framework.search)."""

    search_param = "q"

    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> Any:
        query = request.query_params.get(self.search_param, "").strip()
        rt = getattr(view, "record_type", None)
        if not query or rt is None:
            return queryset
        return search_queryset(rt, queryset, query)


class RecordOrderingFilter(OrderingFilter):
    """``?ordering=name,-created_at`` over declared fields and ``cf_<name>`` custom fields."""

    def get_default_ordering(self, view: Any) -> list[str] | None:
        rt = getattr(view, "record_type", None)
        return list(rt.default_ordering) if rt is not None else None

    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: Any) -> Any:
        annotations = queryset.query.annotations
        if not request.query_params.get(self.ordering_param) and "search_rank" in annotations:
            return ["search_rank"]
        return self._requested_ordering(request, queryset, view)

    def get_valid_fields(
        self, queryset: QuerySet[Any], view: Any, context: Mapping[str, Any] | None = None
    ) -> list[tuple[str, str]]:
        rt = getattr(view, "record_type", None)
        if rt is None:
            return []
        # id and the stamps, for the record types that have them (currencies are keyed by code).
        own = {f.name for f in rt.model._meta.concrete_fields}
        stamps = [f for f in ("id", "created_at", "updated_at") if f in own]
        fields = [(f, f) for f in (*rt.ordering_fields, *stamps)]
        request = (context or {}).get("request")
        if request is not None and CF_PREFIX in request.query_params.get(self.ordering_param, ""):
            fields += [(f"{CF_PREFIX}{n}", f"{CF_PREFIX}{n}") for n in definitions_for(rt.key)]
        return fields

    def _requested_ordering(self, request: Request, queryset: QuerySet[Any], view: Any) -> Any:
        ordering = super().get_ordering(request, queryset, view)
        param = request.query_params.get(self.ordering_param)
        if param:
            requested = [p.strip() for p in param.split(",") if p.strip()]
            invalid = [
                p
                for p in requested
                if p.lstrip("-")
                not in {
                    f for f, _label in self.get_valid_fields(queryset, view, {"request": request})
                }
            ]
            if invalid:
                raise ValidationError(
                    {
                        "ordering": [
                            _("Cannot sort by: %(fields)s.") % {"fields": ", ".join(invalid)}
                        ]
                    }
                )
        return ordering

    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> Any:
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        custom = [
            o.lstrip("-")[len(CF_PREFIX) :] for o in ordering if o.lstrip("-").startswith(CF_PREFIX)
        ]
        if custom:
            # Annotated under the same name as the ordering term, so that cursor pagination
            # can order by it and read each row's position from it.
            definitions = definitions_for(view.record_type.key)
            queryset = queryset.annotate(
                **{
                    f"{CF_PREFIX}{cf}": _cf_expression(cf, definitions[cf].field_type)
                    for cf in custom
                }
            )
        return queryset.order_by(*ordering)
