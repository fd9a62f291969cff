"""The generated record screens: record page, create, edit and delete, and the pickers that
forms use to choose related records."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from rapport.framework.api.problems import django_validation_detail
from rapport.framework.api.readers import page_reader
from rapport.framework.api.serializers import actor_from_request
from rapport.framework.base_models import is_restricted, record_get, restricted
from rapport.framework.choices import Channel
from rapport.framework.exceptions import RecordNotFound, RecordPermissionDenied
from rapport.framework.registry import RecordType, get_record_type
from rapport.framework.search import search_queryset
from rapport.framework.services import record_delete
from rapport.framework.timeline import record_timeline
from rapport.framework.ui.columns import available_columns, display, related_labels
from rapport.framework.ui.forms import attach_errors, fill, form_fields, payload_from_post
from rapport.framework.ui.list_views import record_type_or_404
from rapport.framework.ui.querying import drf_request
from rapport.identity.models import Team, User


def _get(rt: RecordType, request: HttpRequest, pk: Any, action: str = "view") -> Any:
    try:
        return record_get(rt.model, request.user, pk, action)
    except RecordNotFound:
        raise Http404(_("No such record, or you may not see it.")) from None


def representation(rt: RecordType, record: models.Model, request: HttpRequest) -> dict[str, Any]:
    reader = page_reader(rt.serializer)  # type: ignore[arg-type]
    if reader:
        return reader.read_instances([record])[0]
    return dict(rt.serializer(record, context={"request": request}).data)


def can(rt: RecordType, user: Any, action: str, record: models.Model) -> bool:
    return restricted(rt.model, user, action).filter(pk=record.pk).exists()


@login_required
def record_detail(request: HttpRequest, key: str, pk: str) -> HttpResponse:
    rt = record_type_or_404(key)
    record = _get(rt, request, pk)
    data = representation(rt, record, request)
    columns = list(available_columns(rt).values())
    labels = related_labels(columns, [data])
    fields = [
        {
            "column": c,
            "text": display(
                c,
                (data.get("custom_fields") or {}).get(c.custom.name)
                if c.custom
                else data.get(c.name),
                labels,
            ),
        }
        for c in columns
    ]
    context = {
        "rt": rt,
        "record": record,
        "data": data,
        "fields": fields,
        "timeline": record_timeline(user=request.user, record=record),
        "can_change": can(rt, request.user, "change", record),
        "can_delete": can(rt, request.user, "delete", record),
    }
    return render(request, "ui/record.html", context)


def _save(
    request: HttpRequest, rt: RecordType, instance: models.Model | None
) -> tuple[models.Model | None, list[Any], list[str]]:
    wrapped = drf_request(request)
    specs = form_fields(rt, wrapped)
    payload = payload_from_post(specs, request.POST, creating=instance is None)
    ser = rt.serializer(
        instance,
        data=payload,
        partial=instance is not None,
        context={"request": wrapped, "channel": Channel.UI},
    )
    general: list[str] = []
    if ser.is_valid():
        try:
            return ser.save(), specs, general
        except DjangoValidationError as exc:
            general = attach_errors(specs, django_validation_detail(exc))
        except RecordPermissionDenied as exc:
            general = [str(exc)]
    else:
        general = attach_errors(specs, ser.errors)
    fill(specs, payload)
    return None, specs, general


@login_required
@require_http_methods(["GET", "POST"])
def record_create(request: HttpRequest, key: str) -> HttpResponse:
    rt = record_type_or_404(key)
    if request.method == "POST":
        record, specs, general = _save(request, rt, None)
        if record is not None:
            messages.success(request, _("%(type)s created.") % {"type": rt.label.capitalize()})
            return redirect("ui:detail", key=key, pk=record.pk)
        status = 400
    else:
        specs, general, status = form_fields(rt, drf_request(request)), [], 200
        fill(specs, {k: v for k, v in request.GET.items()})
    return render(
        request, "ui/form.html", {"rt": rt, "specs": specs, "general": general}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_edit(request: HttpRequest, key: str, pk: str) -> HttpResponse:
    rt = record_type_or_404(key)
    record = _get(rt, request, pk)
    if not can(rt, request.user, "change", record):
        return render(request, "ui/denied.html", {"rt": rt, "record": record}, status=403)
    if request.method == "POST":
        saved, specs, general = _save(request, rt, record)
        if saved is not None:
            messages.success(request, _("Changes saved."))
            return redirect("ui:detail", key=key, pk=record.pk)
        status = 400
    else:
        specs, general, status = form_fields(rt, drf_request(request)), [], 200
        fill(specs, representation(rt, record, request))
    for spec in specs:
        if spec.kind == "relation" and spec.value not in (None, ""):
            spec.value_label = _picker_label(spec.related, spec.value, request.user)
    return render(
        request,
        "ui/form.html",
        {"rt": rt, "record": record, "specs": specs, "general": general},
        status=status,
    )


@login_required
@require_POST
def record_remove(request: HttpRequest, key: str, pk: str) -> HttpResponse:
    rt = record_type_or_404(key)
    record = _get(rt, request, pk)
    try:
        record_delete(actor=actor_from_request(request, Channel.UI), record_type=rt, record=record)
    except RecordPermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("ui:detail", key=key, pk=pk)
    except DjangoValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("ui:detail", key=key, pk=pk)
    messages.success(request, _("%(type)s deleted.") % {"type": rt.label.capitalize()})
    return redirect("ui:list", key=key)


def _picker_queryset(source: str, user: Any) -> models.QuerySet[Any]:
    if source == "user":
        return User.objects.filter(is_active=True).order_by("username")
    if source == "team":
        return Team.objects.order_by("name")
    try:
        rt = get_record_type(source)
    except KeyError:
        raise Http404(source) from None
    if is_restricted(rt.model):
        return restricted(rt.model, user, "view").order_by(*rt.default_ordering)
    return rt.model._default_manager.order_by(*rt.default_ordering)


def _picker_label(source: str, pk: Any, user: Any) -> str:
    obj = _picker_queryset(source, user).filter(pk=pk).first()
    return str(obj) if obj else f"#{pk}"


@login_required
def picker(request: HttpRequest, source: str) -> HttpResponse:
    """Options for a related-record picker: the first matches the user may see."""
    query = request.GET.get("q", "").strip()
    qs = _picker_queryset(source, request.user)
    if query:
        if source == "user":
            qs = (
                qs.filter(username__icontains=query)
                | qs.filter(first_name__icontains=query)
                | qs.filter(last_name__icontains=query)
            )
        elif source == "team":
            qs = qs.filter(name__icontains=query)
        else:
            rt = get_record_type(source)
            if rt.search_fields:
                qs = search_queryset(rt, qs, query)
    options = [(obj.pk, str(obj)) for obj in qs[:20]]
    return render(
        request,
        "ui/_picker_options.html",
        {"options": options, "field": request.GET.get("field", "")},
    )


def detail_url(key: str, pk: Any) -> str:
    return reverse("ui:detail", kwargs={"key": key, "pk": pk})
