"""Django admin pages generated from the record-type declarations.

Admin writes take the same path as every other channel: the framework services (validation,
permission re-check, change log, events), with ``Channel.ADMIN``. A form is first validated by
running the service inside a transaction that is rolled back, so domain errors appear beside
the fields instead of failing after the form was accepted.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, transaction
from django.http import HttpRequest

from rapport.framework.actor import Actor
from rapport.framework.choices import ActorKind, Channel
from rapport.framework.registry import RecordType, record_types
from rapport.framework.services import record_create, record_delete, record_update


class _DryRun(Exception):
    """Raised to roll back a validation-only run of a service."""


def _actor(request: HttpRequest) -> Actor:
    return Actor(
        user=request.user,  # type: ignore[arg-type]
        kind=ActorKind.USER,
        channel=Channel.ADMIN,
        request_id=getattr(request, "request_id", ""),
    )


def _split(form: forms.ModelForm[Any], change: bool) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    model = form._meta.model
    names = form.changed_data if change else list(form.cleaned_data)
    data: dict[str, Any] = {}
    relations: dict[str, list[Any]] = {}
    for name in names:
        if name not in form.cleaned_data:
            continue
        field = model._meta.get_field(name)
        if field.many_to_many:
            relations[name] = list(form.cleaned_data[name])
        else:
            data[name] = form.cleaned_data[name]
    return data, relations


def _write(
    record_type: RecordType, request: HttpRequest, form: forms.ModelForm[Any], change: bool
) -> models.Model:
    data, relations = _split(form, change)
    actor = _actor(request)
    if change:
        original = record_type.model._default_manager.get(pk=form.instance.pk)
        return record_update(
            actor=actor, record_type=record_type, record=original, data=data, relations=relations
        )
    return record_create(actor=actor, record_type=record_type, data=data, relations=relations)


class RecordAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    record_type: RecordType

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Any]:
        return super().get_queryset(request).restrict(request.user, "view")  # type: ignore[attr-defined]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        base = super().get_form(request, obj, change=change, **kwargs)
        record_type = self.record_type

        class ServiceCheckedForm(base):  # type: ignore[misc, valid-type]
            def _post_clean(self) -> None:
                super()._post_clean()
                if self.errors:
                    return
                try:
                    with transaction.atomic():
                        _write(record_type, request, self, change=obj is not None)
                        raise _DryRun
                except _DryRun:
                    pass
                except ValidationError as exc:
                    if hasattr(exc, "error_dict"):
                        for field, errors in exc.error_dict.items():
                            self.add_error(field if field in self.fields else None, errors)
                    else:
                        self.add_error(None, exc)

        return ServiceCheckedForm

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = _write(self.record_type, request, form, change)
        obj.pk = saved.pk

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Many-to-many values were written by the service in ``save_model``."""

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        record_delete(actor=_actor(request), record_type=self.record_type, record=obj)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)


def register_record_admins(site: admin.AdminSite = admin.site) -> None:
    """One admin page per declared record type, unless the app registered its own."""
    for record_type in record_types():
        if site.is_registered(record_type.model):
            continue
        columns = tuple(c for c in record_type.list_columns) or ("__str__",)
        attrs: dict[str, Any] = {
            "record_type": record_type,
            "list_display": columns,
            "search_fields": tuple(f for f in record_type.search_fields if "__" not in f),
            "list_select_related": tuple(c for c in columns if _is_fk(record_type.model, c)),
        }
        if hasattr(record_type.model, "tags"):
            attrs["filter_horizontal"] = ("tags",)
        site.register(
            record_type.model, type(f"{record_type.model.__name__}Admin", (RecordAdmin,), attrs)
        )


def _is_fk(model: type[models.Model], name: str) -> bool:
    try:
        return bool(model._meta.get_field(name).many_to_one)
    except FieldDoesNotExist:
        return False
