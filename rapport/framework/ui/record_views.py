"""The generated record screens: record page, create, edit and delete, and the pickers that
forms use to choose related records."""

from __future__ import annotations

from dataclasses import dataclass, field
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
from rapport.framework.api.serializers import actor_from_request
from rapport.framework.choices import Channel
from rapport.framework.exceptions import RecordPermissionDenied
from rapport.framework.registry import RecordType, get_record_type
from rapport.framework.search import search_queryset
from rapport.framework.services import record_delete
from rapport.framework.ui.duplicates import CHECKED_TYPES, LikelyDuplicate, likely_duplicates
from rapport.framework.ui.duplicates import CONFIRM_FIELD as DUPLICATE_CONFIRM_FIELD
from rapport.framework.ui.forms import (
    FormField,
    attach_errors,
    fill,
    form_fields,
    initial_values,
    payload_from_post,
    picker_queryset,
    relation_labels,
)
from rapport.framework.ui.hooks import create_form_initial, record_viewed
from rapport.framework.ui.list_views import record_type_or_404
from rapport.framework.ui.querying import drf_request
from rapport.framework.ui.quick_add import QuickAddForm, quick_add_allowed
from rapport.framework.ui.record_page import (
    can,
    record_or_404,
    record_page_context,
    representation,
)


def _get(rt: RecordType, request: HttpRequest, pk: Any, action: str = "view") -> Any:
    return record_or_404(rt, request, pk, action)


@login_required
def record_detail(request: HttpRequest, key: str, pk: str) -> HttpResponse:
    rt = record_type_or_404(key)
    record = _get(rt, request, pk)
    context = record_page_context(rt, record, request)
    context["quick"] = QuickAddForm()
    context["quick_allowed"] = quick_add_allowed(rt)
    record_viewed(user=request.user, record_type=rt, record=record)
    return render(request, "ui/record.html", context)


@dataclass
class SaveResult:
    record: models.Model | None
    specs: list[FormField]
    general: list[str]
    duplicates: list[LikelyDuplicate] = field(default_factory=list)


def _save(request: HttpRequest, rt: RecordType, instance: models.Model | None) -> SaveResult:
    """Validate and save the submitted form through the record type's serializer. A new
    contact, lead or account that probably exists already is not saved until the user
    confirms (the form's "Save anyway")."""
    wrapped = drf_request(request)
    specs = form_fields(rt, wrapped)
    payload = payload_from_post(specs, request.POST, creating=instance is None)
    ser = rt.serializer(
        instance,
        data=payload,
        partial=instance is not None,
        context={"request": wrapped, "channel": Channel.UI},
    )
    fill(specs, payload)
    general: list[str] = []
    duplicates: list[LikelyDuplicate] = []
    if ser.is_valid():
        if instance is None and DUPLICATE_CONFIRM_FIELD not in request.POST:
            duplicates = likely_duplicates(user=request.user, key=rt.key, data=payload)
        if not duplicates:
            try:
                return SaveResult(ser.save(), specs, general)
            except DjangoValidationError as exc:
                general = attach_errors(specs, django_validation_detail(exc))
            except RecordPermissionDenied as exc:
                general = [str(exc)]
    else:
        general = attach_errors(specs, ser.errors)
    relation_labels(specs, request.user)
    return SaveResult(None, specs, general, duplicates)


def _form_response(
    request: HttpRequest,
    rt: RecordType,
    result: SaveResult,
    record: models.Model | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "rt": rt,
        "record": record,
        "specs": result.specs,
        "general": result.general,
        "duplicates": result.duplicates,
        "confirm_field": DUPLICATE_CONFIRM_FIELD,
        "checks_duplicates": record is None and rt.key in CHECKED_TYPES,
    }
    return render(request, "ui/form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def record_create(request: HttpRequest, key: str) -> HttpResponse:
    rt = record_type_or_404(key)
    if request.method == "POST":
        result = _save(request, rt, None)
        if result.record is not None:
            messages.success(request, _("%(type)s created.") % {"type": rt.label.capitalize()})
            if not can(rt, request.user, "view", result.record):
                return redirect("ui:list", key=key)  # handed to someone else by a rule
            return redirect("ui:detail", key=key, pk=result.record.pk)
        # A likely duplicate is a question to the user, not an error in the input.
        return _form_response(request, rt, result, status=200 if result.duplicates else 400)
    specs = form_fields(rt, drf_request(request))
    initial = initial_values(rt)
    if any(spec.name == "owner" for spec in specs):
        initial["owner"] = request.user.pk  # what the services would choose, made visible
    create_form_initial(user=request.user, record_type=rt, initial=initial)
    fill(specs, {**initial, **{k: v for k, v in request.GET.items()}})
    relation_labels(specs, request.user)
    return _form_response(request, rt, SaveResult(None, specs, []))


@login_required
@require_http_methods(["POST"])
def duplicate_check(request: HttpRequest, key: str) -> HttpResponse:
    """While a new record is being typed: the records it probably duplicates (htmx)."""
    rt = record_type_or_404(key)
    specs = form_fields(rt, drf_request(request))
    payload = payload_from_post(specs, request.POST, creating=True)
    found = likely_duplicates(user=request.user, key=rt.key, data=payload)
    return render(
        request,
        "ui/_form_duplicates.html",
        {"rt": rt, "duplicates": found, "confirm_field": DUPLICATE_CONFIRM_FIELD, "live": True},
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_edit(request: HttpRequest, key: str, pk: str) -> HttpResponse:
    rt = record_type_or_404(key)
    record = _get(rt, request, pk)
    if not can(rt, request.user, "change", record):
        return render(request, "ui/denied.html", {"rt": rt, "record": record}, status=403)
    if request.method == "POST":
        result = _save(request, rt, record)
        if result.record is not None:
            messages.success(request, _("Changes saved."))
            return redirect("ui:detail", key=key, pk=record.pk)
        return _form_response(request, rt, result, record, status=400)
    specs = form_fields(rt, drf_request(request))
    fill(specs, representation(rt, record, request))
    relation_labels(specs, request.user)
    return _form_response(request, rt, SaveResult(None, specs, []), record)


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


@login_required
def picker(request: HttpRequest, source: str) -> HttpResponse:
    """Options for a related-record picker: the first matches the user may see."""
    query = request.GET.get("q", "").strip()
    try:
        qs = picker_queryset(source, request.user)
    except KeyError:
        raise Http404(source) from None
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
