"""Lists for the UI read through the same pipeline as the API: the record type's viewset
(``restrict``, FilterSet, custom-field, quality, search and ordering filters) and its cursor
pagination, so a list, its saved view, the API and an export always agree."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlparse

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import HttpRequest, QueryDict
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _l
from django_filters import BooleanFilter
from rest_framework.request import Request

from rapport.core.choices import CustomFieldType
from rapport.core.custom_fields import definitions_for
from rapport.core.models import CustomFieldDefinition
from rapport.framework.api.filters import CF_PREFIX as API_CF_PREFIX
from rapport.framework.api.pagination import RecordCursorPagination
from rapport.framework.api.readers import page_reader
from rapport.framework.api.viewsets import RecordViewSet, viewset_for
from rapport.framework.registry import RecordType
from rapport.framework.ui.columns import custom_label
from rapport.identity.models import Team

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


# Parameters of the screen itself (which columns, which saved view), never list filters.
UI_PARAMS = ("columns", "view")
ME = "me"


def _user_fields(record_type: RecordType) -> set[str]:
    user_model = get_user_model()
    return {
        f.name
        for f in record_type.model._meta.concrete_fields
        if f.is_relation and f.related_model is user_model
    }


def api_params(request: HttpRequest, record_type: RecordType) -> QueryDict:
    """The request's query parameters as the API reads them: the screen's own parameters left
    out, and ``me`` in a filter on a user field (``owner=me``, ``owner__in=me,7``) replaced by
    the signed-in user's id, so that a saved "my records" view works for everyone. An ``__in``
    filter sent as several values becomes one comma-separated value."""
    users = _user_fields(record_type)
    me = str(getattr(request.user, "pk", "") or "")
    params = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        if key in UI_PARAMS:
            continue
        if key.split("__", 1)[0] in users:
            values = [
                ",".join(me if part.strip() == ME else part for part in v.split(","))
                for v in values
            ]
        if key.endswith("__in") and len(values) > 1:
            # A multiple select sends each value on its own; the API's "in" takes a list.
            values = [",".join(values)]
        params.setlist(key, values)
    return params


def with_params(request: HttpRequest, params: QueryDict) -> HttpRequest:
    """A shallow copy of ``request`` that carries ``params`` as its query string."""
    clone = copy.copy(request)
    clone.GET = params  # type: ignore[assignment]
    return clone


def list_viewset(
    request: HttpRequest,
    record_type: RecordType,
    action: str = "list",
    params: QueryDict | None = None,
) -> Any:
    """An initialised API viewset of ``record_type`` for ``request`` (no response is built),
    reading ``params``, by default the request's filters as ``api_params`` gives them."""
    cls = _viewsets.get(record_type.key)
    if cls is None:
        cls = _viewsets[record_type.key] = viewset_for(record_type)
    view = cls()
    view.action_map = {"get": action}
    view.action = action
    if params is None:
        params = api_params(request, record_type)
    view.request = drf_request(with_params(request, params))
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


# The filter builder: the filters a list accepts, as the API declares them -------------------

OPERATOR_LABELS = {
    "exact": _l("is"),
    "iexact": _l("is (any case)"),
    "icontains": _l("contains"),
    "istartswith": _l("starts with"),
    "in": _l("is one of"),
    "isnull": _l("is empty"),
    "gt": _l("is more than"),
    "gte": _l("is at least"),
    "lt": _l("is less than"),
    "lte": _l("is at most"),
}
TIME_OPERATOR_LABELS = {
    "gt": _l("is after"),
    "gte": _l("is on or after"),
    "lt": _l("is before"),
    "lte": _l("is on or before"),
}
# Filters with a control of their own on the list screen.
QUICK_FILTERS = ("tag",)


@dataclass(frozen=True)
class FilterOperator:
    param: str  # the API query parameter: country__in, cf_score__gte, ...
    lookup: str
    label: str


@dataclass(frozen=True)
class FilterField:
    name: str
    label: str
    kind: str  # text, number, date, bool, choice, user, team
    operators: tuple[FilterOperator, ...]
    # The model field (or custom-field definition) whose choices a row offers; read only when
    # a row is drawn: translating every country name on each list request costs milliseconds.
    source: Any = None

    @property
    def choices(self) -> list[tuple[str, str]]:
        if isinstance(self.source, CustomFieldDefinition):
            return [(str(c), str(c)) for c in self.source.choices or []]
        return [(str(k), str(v)) for k, v in getattr(self.source, "choices", None) or []]

    def operator(self, param: str) -> FilterOperator | None:
        return next((o for o in self.operators if o.param == param), None)


def _path_label(model: type[models.Model], path: str) -> tuple[str, Any]:
    """The label of a field path (``primary_account__name``: "Primary account / Name") and the
    model field it ends at (None when it names no model field)."""
    labels: list[str] = []
    target: Any = None
    current: Any = model
    for part in path.split("__"):
        try:
            target = current._meta.get_field(part)
        except (FieldDoesNotExist, AttributeError):
            return capfirst(path.replace("__", " ").replace("_", " ")), None
        labels.append(str(getattr(target, "verbose_name", part)))
        current = target.related_model if target.is_relation else None
    return capfirst(" / ".join(labels)), target


def _field_kind(target: Any, filter_: Any) -> str:
    if target is None:
        return "bool" if isinstance(filter_, BooleanFilter) else "text"
    if target.is_relation:
        if target.related_model is get_user_model():
            return "user"
        if target.related_model is Team:
            return "team"
        return "number"
    if getattr(target, "choices", None):
        return "choice"
    if isinstance(target, models.BooleanField):
        return "bool"
    if isinstance(target, models.DateField):  # DateTimeField too: a day is enough here
        return "date"
    if isinstance(target, (models.IntegerField, models.DecimalField, models.FloatField)):
        return "number"
    return "text"


_CUSTOM_KINDS = {
    CustomFieldType.INTEGER: "number",
    CustomFieldType.DECIMAL: "number",
    CustomFieldType.MONEY: "number",
    CustomFieldType.DATE: "date",
    CustomFieldType.DATETIME: "date",
    CustomFieldType.BOOLEAN: "bool",
    CustomFieldType.CHOICE: "choice",
    CustomFieldType.MULTIPLE_CHOICE: "choice",
}
_CUSTOM_LOOKUPS = {
    "number": ("exact", "gt", "gte", "lt", "lte", "in", "isnull"),
    "date": ("exact", "gt", "gte", "lt", "lte", "isnull"),
    "bool": ("exact", "isnull"),
    "choice": ("exact", "in", "isnull"),
    "text": ("exact", "icontains", "in", "isnull"),
}


def _operator(param: str, lookup: str, kind: str) -> FilterOperator:
    labels = TIME_OPERATOR_LABELS if kind == "date" and lookup in TIME_OPERATOR_LABELS else {}
    label = labels.get(lookup) or OPERATOR_LABELS.get(lookup) or lookup
    return FilterOperator(param, lookup, str(label))


def filter_fields(record_type: RecordType) -> dict[str, FilterField]:
    """Every field a list of ``record_type`` can be filtered on, with the operators its
    FilterSet declares (``base_filters``), then its custom fields (``cf_<name>``)."""
    grouped: dict[str, list[tuple[str, Any]]] = {}
    filterset = record_type.filterset
    for param, filter_ in filterset.base_filters.items() if filterset else ():
        if param in QUICK_FILTERS:
            continue
        grouped.setdefault(filter_.field_name or param, []).append((param, filter_))
    fields: dict[str, FilterField] = {}
    for name, declared in grouped.items():
        label, target = _path_label(record_type.model, name)
        kind = _field_kind(target, declared[0][1])
        operators = tuple(_operator(p, f.lookup_expr or "exact", kind) for p, f in declared)
        fields[name] = FilterField(name, label, kind, operators, target)
    for defn in definitions_for(record_type.key).values():
        kind = _CUSTOM_KINDS.get(CustomFieldType(defn.field_type), "text")
        name = f"{API_CF_PREFIX}{defn.name}"
        operators = tuple(
            _operator(name if lookup == "exact" else f"{name}__{lookup}", lookup, kind)
            for lookup in _CUSTOM_LOOKUPS[kind]
        )
        fields[name] = FilterField(name, custom_label(defn), kind, operators, defn)
    return fields


def filter_param_field(
    fields: dict[str, FilterField], param: str
) -> tuple[FilterField, FilterOperator] | None:
    """The field and operator a query parameter stands for, None if it is no filter."""
    for f in fields.values():
        op = f.operator(param)
        if op is not None:
            return f, op
    return None


def filter_param_label(fields: dict[str, FilterField], param: str) -> str:
    """How an error about ``param`` names it: "Created at is on or after" for
    ``created_at__gte``; other parameters by their own name."""
    found = filter_param_field(fields, param)
    if found is None:
        return {"q": str(_l("Search")), "ordering": str(_l("Sort order"))}.get(param, param)
    f, op = found
    return f"{f.label} {op.label}"
