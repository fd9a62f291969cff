"""The generated list screen of every record type (full page, or its results as an htmx
partial when the filter form or the pager asks for them)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from rest_framework.exceptions import ValidationError

from rapport.framework.registry import RecordType, get_record_type
from rapport.framework.ui.columns import (
    Column,
    available_columns,
    cell_value,
    default_columns,
    display,
    related_labels,
)
from rapport.framework.ui.querying import ListPage, list_page


def record_type_or_404(key: str) -> RecordType:
    try:
        return get_record_type(key)
    except KeyError:
        raise Http404(key) from None


def chosen_columns(request: HttpRequest, rt: RecordType) -> list[Column]:
    """The columns asked for (``?columns=a,b``), in that order, or the declared defaults."""
    available = available_columns(rt)
    asked = [c for c in request.GET.get("columns", "").split(",") if c in available]
    return [available[c] for c in asked or default_columns(rt) if c in available]


def table_rows(columns: list[Column], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    labels = related_labels(columns, rows)
    return [
        {
            "id": row.get("id"),
            "cells": [
                {
                    "column": col,
                    "raw": cell_value(col, row),
                    "text": display(col, cell_value(col, row), labels),
                }
                for col in columns
            ],
        }
        for row in rows
    ]


@login_required
def record_list(request: HttpRequest, key: str) -> HttpResponse:
    rt = record_type_or_404(key)
    columns = chosen_columns(request, rt)
    try:
        page = list_page(request, rt)
    except ValidationError as exc:
        page = ListPage(
            rows=[], errors=exc.detail if isinstance(exc.detail, dict) else {"": exc.detail}
        )
    context = {
        "rt": rt,
        "columns": columns,
        "rows": table_rows(columns, page.rows),
        "page": page,
        "ordering": request.GET.get("ordering", ""),
        "query": request.GET.get("q", ""),
    }
    partial = (
        request.headers.get("HX-Request") and request.headers.get("HX-Target") == "list-results"
    )
    template = "ui/_list_results.html" if partial else "ui/list.html"
    return render(request, template, context)
