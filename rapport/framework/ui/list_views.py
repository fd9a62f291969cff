"""The generated list screen of every record type: columns chosen and ordered by the user,
filters built from the API's FilterSet, saved views, selection for bulk actions and cells
editable in place. The full page, or its results as an htmx partial when the filter form,
a column header or the pager asks for them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from rest_framework.exceptions import APIException, ValidationError

from rapport.core.models import SavedView, Tag
from rapport.core.selectors import saved_view_default, saved_views_for
from rapport.framework.base_models import is_restricted, restricted
from rapport.framework.registry import RecordType, get_record_type
from rapport.framework.ui.columns import (
    Column,
    available_columns,
    cell_value,
    default_columns,
    display,
    editable_fields,
    related_labels,
)
from rapport.framework.ui.querying import (
    ME,
    QUICK_FILTERS,
    FilterField,
    FilterOperator,
    ListPage,
    filter_fields,
    filter_param_field,
    filter_param_label,
    list_page,
)

# Parameters that are not filter rows of the builder.
NOT_FILTER_ROWS = frozenset({"q", "ordering", "cursor", "columns", "view", *QUICK_FILTERS})


def record_type_or_404(key: str) -> RecordType:
    try:
        return get_record_type(key)
    except KeyError:
        raise Http404(key) from None


def asked_columns(request: HttpRequest) -> list[str]:
    """``?columns=a,b,cf.x`` (or the parameter repeated), in the order given."""
    return [c.strip() for v in request.GET.getlist("columns") for c in v.split(",") if c.strip()]


def chosen_columns(
    request: HttpRequest, rt: RecordType, available: dict[str, Column] | None = None
) -> list[Column]:
    """The columns asked for (``?columns=a,b``), in that order, or the declared defaults."""
    available = available if available is not None else available_columns(rt)
    asked = [c for c in asked_columns(request) if c in available]
    return [available[c] for c in dict.fromkeys(asked or default_columns(rt)) if c in available]


def chooser_columns(
    available: dict[str, Column], chosen: list[Column]
) -> list[tuple[Column, bool]]:
    """Every available column for the column chooser: the shown ones first, in their order."""
    shown = [c.name for c in chosen]
    rest = [c for name, c in available.items() if name not in shown]
    return [(c, True) for c in chosen] + [(c, False) for c in rest]


def table_rows(
    columns: list[Column],
    rows: list[dict[str, Any]],
    editable: set[str] | None = None,
    changeable: set[Any] | None = None,
) -> list[dict[str, Any]]:
    labels = related_labels(columns, rows)
    editable = editable or set()
    changeable = changeable or set()
    return [
        {
            "id": row.get("id"),
            "label": display(columns[0], cell_value(columns[0], row), labels) if columns else "",
            "cells": [
                {
                    "column": col,
                    "raw": cell_value(col, row),
                    "text": display(col, cell_value(col, row), labels),
                    "editable": col.name in editable and row.get("id") in changeable,
                }
                for col in columns
            ],
        }
        for row in rows
    ]


@dataclass
class FilterRow:
    """One row of the filter builder: a field, one of its operators, and the value."""

    uid: str
    fields: dict[str, FilterField]
    field: FilterField | None
    operator: FilterOperator | None
    value: str = ""

    @property
    def values(self) -> list[str]:
        """The chosen values of a multiple choice (``in``)."""
        return [v for v in self.value.split(",") if v]


def new_filter_row(
    fields: dict[str, FilterField], field: str = "", param: str = "", value: str = ""
) -> FilterRow:
    chosen = fields.get(field)
    op = chosen.operator(param) if chosen and param else None
    if chosen is not None and op is None:
        op = chosen.operators[0]
    return FilterRow(uuid.uuid4().hex[:8], fields, chosen, op, value)


def filter_rows(request: HttpRequest, fields: dict[str, FilterField]) -> list[FilterRow]:
    """The filter-builder rows of the filters in the query string (not the quick ones)."""
    rows: list[FilterRow] = []
    for param, values in request.GET.lists():
        if param in NOT_FILTER_ROWS or (param == "owner" and values == [ME]):
            continue
        found = filter_param_field(fields, param)
        if found is None:
            continue
        if param.endswith("__in"):
            values = [",".join(values)]
        rows.extend(new_filter_row(fields, found[0].name, param, v) for v in values)
    return rows


def page_errors(errors: dict[str, Any], fields: dict[str, FilterField]) -> list[dict[str, Any]]:
    """A bad filter's messages, under the name of the field it is about."""
    out = []
    for param, messages in errors.items():
        flat = messages if isinstance(messages, list) else [messages]
        out.append(
            {
                "param": param,
                "label": filter_param_label(fields, param) if param else "",
                "messages": [str(m) for m in flat],
            }
        )
    return out


def current_query(request: HttpRequest, drop: tuple[str, ...] = ("cursor",)) -> str:
    params = request.GET.copy()
    for key in drop:
        params.pop(key, None)
    return params.urlencode()


def _changeable(rt: RecordType, user: Any, rows: list[dict[str, Any]]) -> set[Any]:
    """The ids on the page the user may change: one query for the page."""
    ids = [row.get("id") for row in rows if row.get("id") is not None]
    if not ids:
        return set()
    model = rt.model
    queryset = (
        restricted(model, user, "change")
        if is_restricted(model)
        else (model._default_manager.all() if user.is_superuser else model._default_manager.none())
    )
    return set(queryset.filter(pk__in=ids).values_list("pk", flat=True))


def _current_view(request: HttpRequest, views: list[SavedView]) -> SavedView | None:
    wanted = request.GET.get("view", "")
    return next((v for v in views if str(v.pk) == wanted), None)


@login_required
def record_list(request: HttpRequest, key: str) -> HttpResponse:
    rt = record_type_or_404(key)
    partial = (
        request.headers.get("HX-Request") and request.headers.get("HX-Target") == "list-results"
    )
    if not request.GET and not partial:
        default = saved_view_default(request.user, rt.key)
        if default is not None:
            return redirect("ui:view", key=key, view_id=default.pk)
    available = available_columns(rt)
    columns = chosen_columns(request, rt, available)
    fields = filter_fields(rt)
    try:
        page = list_page(request, rt)
    except ValidationError as exc:
        page = ListPage(
            rows=[], errors=exc.detail if isinstance(exc.detail, dict) else {"": exc.detail}
        )
    except APIException as exc:  # an invalid cursor: a stale or hand-made link
        page = ListPage(rows=[], errors={"cursor": [str(exc.detail)]})
    except FieldError:
        # The API offers "id" to sort every type by, also types keyed otherwise (currencies).
        page = ListPage(rows=[], errors={"ordering": [_("Cannot sort by this field.")]})
    editable = set(editable_fields(rt, request))
    changeable = _changeable(rt, request.user, page.rows) if editable else set()
    context: dict[str, Any] = {
        "rt": rt,
        "columns": columns,
        "rows": table_rows(columns, page.rows, editable, changeable),
        "page": page,
        "errors": page_errors(page.errors, fields),
        "ordering": request.GET.get("ordering", ""),
        "query": request.GET.get("q", ""),
        "current_query": current_query(request),
        "export_query": current_query(request, ("cursor", "view")),
        "partial": partial,
    }
    if partial:
        return render(request, "ui/_list_results.html", context)
    views = list(saved_views_for(request.user, rt.key).select_related("team"))
    has_owner = any(f.name == "owner" for f in rt.model._meta.concrete_fields)
    context.update(
        {
            "chooser": chooser_columns(available, columns),
            "columns_param": ",".join(asked_columns(request)),
            "filter_rows": filter_rows(request, fields),
            "mine": request.GET.get("owner") == ME,
            "has_owner": has_owner,
            "has_tags": not rt.is_config
            and "tag" in (rt.filterset.base_filters if rt.filterset else {}),
            "tags": list(Tag.objects.order_by("name").values_list("name", flat=True)[:200]),
            "chosen_tags": request.GET.getlist("tag"),
            "saved_views": views,
            "current_view": _current_view(request, views),
            "teams": list(request.user.teams.order_by("name")),  # type: ignore[union-attr]
            "can_bulk": bool(editable) or has_owner,
        }
    )
    return render(request, "ui/list.html", context)


@login_required
def filter_row(request: HttpRequest, key: str) -> HttpResponse:
    """One filter-builder row (htmx): a new one, or the row redrawn for the field and operator
    just chosen, its value input matching them."""
    rt = record_type_or_404(key)
    fields = filter_fields(rt)
    field = request.GET.get("fb_field", "")
    param = request.GET.get("fb_op", "")
    chosen = fields.get(field)
    value = ""
    if chosen is not None:
        # The value typed so far stays when only the operator changed (same field).
        for name, values in request.GET.lists():
            found = filter_param_field(fields, name)
            if found is not None and found[0].name == chosen.name:
                value = ",".join(v for v in values if v)
    row = new_filter_row(fields, field, param, value)
    return render(request, "ui/_list_filter_row.html", {"rt": rt, "row": row, "focus": True})
