"""Writes from the list screen: bulk actions on the selected records (edit a field, assign an
owner, delete, export) and cells edited in place.

Every write goes through the record type's serializer (and so the framework services) or
``record_delete``, with the UI channel. A bulk action is all or nothing: the records the user
may not change are named and nothing is written; one record failing validation rolls back
the others (one transaction per action).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from rapport.exports.choices import ExportFormat
from rapport.exports.columns import ExportPlan
from rapport.framework.api.filters import CF_PREFIX as API_CF_PREFIX
from rapport.framework.api.problems import django_validation_detail
from rapport.framework.api.serializers import actor_from_request
from rapport.framework.base_models import is_restricted, restricted
from rapport.framework.choices import Channel
from rapport.framework.exceptions import RecordPermissionDenied
from rapport.framework.registry import RecordType
from rapport.framework.services import record_delete
from rapport.framework.ui.columns import (
    CF_PREFIX,
    available_columns,
    default_columns,
    display,
    related_labels,
)
from rapport.framework.ui.columns import editable_fields as inline_fields
from rapport.framework.ui.forms import FormField, attach_errors
from rapport.framework.ui.list_views import asked_columns, record_type_or_404
from rapport.framework.ui.querying import api_params, drf_request, list_viewset
from rapport.framework.ui.record_views import representation
from rapport.identity.models import User

# Names shown on the confirmation page; the rest are counted.
SHOWN_NAMES = 20


class BulkRollback(Exception):
    """Raised inside a bulk transaction to undo what it wrote."""


@dataclass
class BulkOutcome:
    done: int = 0
    denied: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.denied and not self.errors


def _queryset(rt: RecordType, user: Any, action: str) -> models.QuerySet[Any]:
    model = rt.model
    if is_restricted(model):
        return restricted(model, user, action)
    # Configuration: everyone reads it, administrators change it.
    if action == "view" or user.is_superuser:
        return model._default_manager.all()
    return model._default_manager.none()


def _selected_ids(request: HttpRequest) -> list[str]:
    return list(dict.fromkeys(v for v in request.POST.getlist("ids") if v.strip()))


def _records(rt: RecordType, user: Any, ids: list[str]) -> list[models.Model]:
    try:
        return list(_queryset(rt, user, "view").filter(pk__in=ids).order_by("pk"))
    except (ValueError, TypeError):
        return []


def _denied(
    rt: RecordType, user: Any, ids: list[str], records: list[models.Model], action: str
) -> list[str]:
    """Names of the selected records ``user`` may not ``action`` (those they cannot even see
    by their id): checked per record before anything is written."""
    allowed = {
        str(pk)
        for pk in _queryset(rt, user, action)
        .filter(pk__in=[r.pk for r in records])
        .values_list("pk", flat=True)
    }
    seen = {str(r.pk) for r in records}
    names = [str(r) for r in records if str(r.pk) not in allowed]
    names += [f"#{i}" for i in ids if i not in seen]
    return names


def bulk_update(
    request: HttpRequest, rt: RecordType, ids: list[str], data: dict[str, Any]
) -> BulkOutcome:
    """Apply ``data`` (serializer input) to every selected record, or to none of them."""
    records = _records(rt, request.user, ids)
    outcome = BulkOutcome(denied=_denied(rt, request.user, ids, records, "change"))
    if outcome.denied:
        return outcome
    context = {"request": drf_request(request), "channel": Channel.UI}
    serializers = []
    for record in records:
        ser = rt.serializer(record, data=data, partial=True, context=context)
        if not ser.is_valid():
            outcome.errors += _messages(record, ser.errors)
        serializers.append(ser)
    if outcome.errors:
        return outcome
    try:
        with transaction.atomic():
            for record, ser in zip(records, serializers, strict=True):
                try:
                    ser.save()
                except DjangoValidationError as exc:
                    outcome.errors += _messages(record, django_validation_detail(exc))
                except RecordPermissionDenied as exc:
                    outcome.errors.append(f"{record}: {exc}")
            if outcome.errors:
                raise BulkRollback
    except BulkRollback:
        return outcome
    outcome.done = len(records)
    return outcome


def bulk_delete(request: HttpRequest, rt: RecordType, ids: list[str]) -> BulkOutcome:
    """Delete every selected record, or none of them."""
    records = _records(rt, request.user, ids)
    outcome = BulkOutcome(denied=_denied(rt, request.user, ids, records, "delete"))
    if outcome.denied:
        return outcome
    actor = actor_from_request(request, Channel.UI)
    try:
        with transaction.atomic():
            for record in records:
                label = str(record)
                try:
                    record_delete(actor=actor, record_type=rt, record=record)
                except DjangoValidationError as exc:
                    outcome.errors += [f"{label}: {m}" for m in exc.messages]
                except RecordPermissionDenied as exc:
                    outcome.errors.append(f"{label}: {exc}")
            if outcome.errors:
                raise BulkRollback
    except BulkRollback:
        return outcome
    outcome.done = len(records)
    return outcome


def _messages(record: models.Model, errors: Any) -> list[str]:
    if isinstance(errors, dict):
        return [
            f"{record}: {name}: {m}" if name not in ("non_field_errors", "") else f"{record}: {m}"
            for name, msgs in errors.items()
            for m in (msgs if isinstance(msgs, list) else [msgs])
        ]
    return [f"{record}: {m}" for m in (errors if isinstance(errors, list) else [errors])]


def payload(spec: FormField, post: QueryDict, name: str = "value") -> dict[str, Any]:
    """The serializer input that sets the field ``spec`` to the submitted value."""
    raw: Any = post.get(name, "")
    if spec.kind == "bool":
        raw = raw in ("true", "on", "1")
    elif raw == "" and spec.kind in ("number", "date"):
        raw = None  # text and choices are cleared to "", numbers and dates to null
    if spec.name.startswith(CF_PREFIX):
        return {"custom_fields": {spec.name[len(CF_PREFIX) :]: raw}}
    return {spec.name: raw}


def _bulk_fields(rt: RecordType, request: HttpRequest) -> dict[str, FormField]:
    return inline_fields(rt, drf_request(request))


def _list_url(key: str, query: str) -> str:
    base = reverse("ui:list", kwargs={"key": key})
    return f"{base}?{query.lstrip('?')}" if query.strip("?") else base


def _export_url(key: str, query: str, ids: list[str], fmt: str) -> str:
    params = QueryDict(query.lstrip("?"), mutable=True)
    params.pop("cursor", None)
    params["id__in"] = ",".join(ids)
    params["format"] = fmt
    return f"{reverse('ui:export', kwargs={'key': key})}?{params.urlencode()}"


@login_required
@require_POST
def bulk(request: HttpRequest, key: str) -> HttpResponse:
    """The selected records: a confirmation page for the chosen action, then (``confirm``)
    the action itself."""
    rt = record_type_or_404(key)
    action = request.POST.get("action", "")
    query = request.POST.get("query", "")
    ids = _selected_ids(request)
    if not ids:
        messages.error(request, _("Select at least one record first."))
        return redirect(_list_url(key, query))
    if action in ("export_csv", "export_xlsx"):
        return redirect(_export_url(key, query, ids, action.removeprefix("export_")))
    if action not in ("edit", "assign", "delete"):
        messages.error(request, _("Choose what to do with the selected records."))
        return redirect(_list_url(key, query))
    fields = _bulk_fields(rt, request)
    chosen = fields.get(request.POST.get("field", "")) or next(iter(fields.values()), None)
    outcome = BulkOutcome()
    if request.POST.get("confirm"):
        if action == "delete":
            outcome = bulk_delete(request, rt, ids)
        elif action == "assign":
            outcome = bulk_update(request, rt, ids, {"owner": request.POST.get("owner", "")})
        elif chosen is not None:
            outcome = bulk_update(request, rt, ids, payload(chosen, request.POST))
        if outcome.ok and outcome.done:
            messages.success(request, _done_message(rt, action, outcome.done))
            return redirect(_list_url(key, query))
    records = _records(rt, request.user, ids)
    context = {
        "rt": rt,
        "action": action,
        "ids": ids,
        "query": query,
        "count": len(ids),
        "names": [str(r) for r in records[:SHOWN_NAMES]],
        "more": max(0, len(ids) - SHOWN_NAMES),
        "fields": fields,
        "spec": chosen,
        "value": request.POST.get("value", ""),
        "owner": request.POST.get("owner", ""),
        "users": User.objects.filter(is_active=True).order_by("username"),
        "outcome": outcome,
    }
    status = 400 if (outcome.denied or outcome.errors) else 200
    return render(request, "ui/_list_bulk.html", context, status=status)


def _done_message(rt: RecordType, action: str, count: int) -> str:
    if action == "delete":
        return ngettext("%(count)d record deleted.", "%(count)d records deleted.", count) % {
            "count": count
        }
    return ngettext("%(count)d record changed.", "%(count)d records changed.", count) % {
        "count": count
    }


@login_required
@require_GET
def bulk_value(request: HttpRequest, key: str) -> HttpResponse:
    """The value input of the field chosen on the bulk edit page (htmx)."""
    rt = record_type_or_404(key)
    spec = _bulk_fields(rt, request).get(request.GET.get("field", ""))
    if spec is None:
        raise Http404(_("This field cannot be changed here."))
    return render(request, "ui/_list_value_input.html", {"spec": spec, "value": ""})


def _export_columns(rt: RecordType, asked: list[str]) -> list[str]:
    """The export's column keys for the list's columns (``cf.x`` in the list is ``cf_x`` in
    an export), after the id."""
    keys = [c.replace(CF_PREFIX, API_CF_PREFIX, 1) if c.startswith(CF_PREFIX) else c for c in asked]
    try:
        exportable = ExportPlan(rt).available
    except TypeError:  # no page reader: the API cannot export this type; its error says so
        return keys
    return [k for k in dict.fromkeys(["id", *keys]) if k in exportable]


@login_required
@require_GET
def export(request: HttpRequest, key: str) -> HttpResponseBase:
    """The list as it is filtered, with its columns, as a CSV or XLSX file through the API's
    export (rapport.framework.api.export); a large one becomes a background export job,
    whose page this links to."""
    rt = record_type_or_404(key)
    params = api_params(request, rt)
    params.pop("cursor", None)
    shown = asked_columns(request) or default_columns(rt)
    columns = _export_columns(rt, shown)
    if columns:
        params["columns"] = ",".join(columns)
    params.setdefault("format", ExportFormat.CSV)
    view = list_viewset(request, rt, action="export", params=params)
    try:
        response = view.export(view.request)
    except ValidationError as exc:
        detail = exc.detail if isinstance(exc.detail, dict) else {"": exc.detail}
        return render(request, "ui/_list_export.html", {"rt": rt, "errors": detail}, status=400)
    if isinstance(response, Response):  # 202: written in the background
        job = response.data
        return render(
            request,
            "ui/_list_export.html",
            {
                "rt": rt,
                "job": job,
                "status_url": f"/api/exports/{job['id']}/",
                "download_url": f"/api/exports/{job['id']}/download/",
                "back": _list_url(key, request.GET.urlencode()),
            },
            status=202,
        )
    return response


# Cells edited in place --------------------------------------------------------------------


def _cell_value(rt: RecordType, request: HttpRequest, record: models.Model, name: str) -> Any:
    data = representation(rt, record, request)
    if name.startswith(CF_PREFIX):
        return (data.get("custom_fields") or {}).get(name[len(CF_PREFIX) :])
    return data.get(name)


def _cell_display(
    request: HttpRequest, rt: RecordType, record: models.Model, name: str, *, focus: bool
) -> HttpResponse:
    column = available_columns(rt)[name]
    value = _cell_value(rt, request, record, name)
    text = display(column, value, related_labels([column], [{name: value}]))
    return render(
        request,
        "ui/_list_cell.html",
        {"rt": rt, "pk": record.pk, "column": column, "text": text, "focus": focus},
    )


@login_required
@require_http_methods(["GET", "POST", "PATCH"])
def cell(request: HttpRequest, key: str, pk: str, field: str) -> HttpResponse:
    """One list cell: GET its input (``?display=1``: its value again, on cancel); POST or
    PATCH a new value, validated by the serializer. A bad value comes back as the input with
    the field's message (HTTP 422, which the list's script lets htmx show)."""
    rt = record_type_or_404(key)
    spec = _bulk_fields(rt, request).get(field)
    if spec is None or field not in available_columns(rt):
        raise Http404(_("This field cannot be changed here."))
    try:
        record = _queryset(rt, request.user, "view").filter(pk=pk).first()
    except (ValueError, TypeError):
        record = None
    if record is None:
        raise Http404(_("No such record, or you may not see it."))
    if request.method == "GET" and request.GET.get("display"):
        return _cell_display(request, rt, record, field, focus=True)
    if not _queryset(rt, request.user, "change").filter(pk=record.pk).exists():
        spec.errors = [_("You may not change this record.")]
        return _cell_form(request, rt, record, spec, status=403)
    if request.method == "GET":
        spec.value = _cell_value(rt, request, record, field)
        return _cell_form(request, rt, record, spec)
    body = request.POST if request.method == "POST" else QueryDict(request.body)
    data = payload(spec, body)
    ser = rt.serializer(
        record,
        data=data,
        partial=True,
        context={"request": drf_request(request), "channel": Channel.UI},
    )
    general: list[str] = []
    if ser.is_valid():
        try:
            saved = ser.save()
            return _cell_display(request, rt, saved, field, focus=True)
        except DjangoValidationError as exc:
            general = attach_errors([spec], django_validation_detail(exc))
        except RecordPermissionDenied as exc:
            general = [str(exc)]
    else:
        general = attach_errors([spec], ser.errors)
    spec.errors += general
    spec.value = body.get("value", "")
    return _cell_form(request, rt, record, spec, status=422)


def _cell_form(
    request: HttpRequest, rt: RecordType, record: models.Model, spec: FormField, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "ui/_list_cell_form.html",
        {"rt": rt, "pk": record.pk, "spec": spec, "value": spec.value},
        status=status,
    )
