"""Lists for the UI read through the same pipeline as the API: the record type's viewset
(``restrict``, FilterSet, custom-field, quality, search and ordering filters) and its cursor
pagination, so a list, its saved view, the API and an export always agree."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlparse

from django.db import models
from django.http import HttpRequest
from rest_framework.request import Request

from rapport.framework.api.pagination import RecordCursorPagination
from rapport.framework.api.readers import page_reader
from rapport.framework.api.viewsets import RecordViewSet, viewset_for
from rapport.framework.registry import RecordType

_viewsets: dict[str, type[RecordViewSet]] = {}


@dataclass
class ListPage:
    rows: list[dict[str, Any]]
    next_cursor: str | None = None
    previous_cursor: str | None = None
    errors: dict[str, Any] = field(default_factory=dict)


def drf_request(request: HttpRequest) -> Request:
    """``request`` as DRF sees it, signed in as the session's user (the UI authenticates by
    session and CSRF itself; DRF's authenticators are not run again)."""
    wrapped = Request(request)
    wrapped.user = request.user
    wrapped.auth = None
    return wrapped


def list_viewset(request: HttpRequest, record_type: RecordType, action: str = "list") -> Any:
    """An initialised API viewset of ``record_type`` for ``request`` (no response is built)."""
    cls = _viewsets.get(record_type.key)
    if cls is None:
        cls = _viewsets[record_type.key] = viewset_for(record_type)
    view = cls()
    view.action_map = {"get": action}
    view.action = action
    view.request = drf_request(request)
    view.args, view.kwargs = (), {}
    view.format_kwarg = None
    view.headers = {}
    return view


def list_queryset(request: HttpRequest, record_type: RecordType) -> models.QuerySet[Any]:
    """The records ``request.user`` may see, filtered and ordered by the request's query
    parameters exactly as the API would. Raises DRF's ValidationError on a bad filter."""
    view = list_viewset(request, record_type)
    return view.filter_queryset(view.get_queryset())  # type: ignore[no-any-return]


def _cursor(url: str | None) -> str | None:
    if not url:
        return None
    values = parse_qs(urlparse(url).query).get("cursor")
    return values[0] if values else None


def list_page(request: HttpRequest, record_type: RecordType, page_size: int = 50) -> ListPage:
    """One page of rows (the API representation) with the cursors of its neighbours."""
    view = list_viewset(request, record_type)
    queryset = view.filter_queryset(view.get_queryset())
    reader = page_reader(record_type.serializer)  # type: ignore[arg-type]
    paginator = RecordCursorPagination()
    paginator.page_size = page_size
    source = reader.values(queryset) if reader else queryset
    page = paginator.paginate_queryset(source, view.request, view=view) or []
    if reader:
        rows = reader.read(page, children=[])
    else:
        rows = list(record_type.serializer(page, many=True, context={"request": request}).data)
    return ListPage(
        rows=rows,
        next_cursor=_cursor(paginator.get_next_link()),
        previous_cursor=_cursor(paginator.get_previous_link()),
    )
