"""Generic write path for every record type: create, update, delete.

Each service validates, saves, re-checks permission against the new state, writes the change
log and queues events, all in one transaction, whatever the channel (UI, API, import, job).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_countries import countries
from django_countries.fields import CountryField

from rapport.core.custom_fields import custom_fields_clean
from rapport.framework.actor import Actor
from rapport.framework.audit import changelog_write, record_snapshot
from rapport.framework.base_models import RecordModel, is_restricted, restricted
from rapport.framework.choices import ChangeAction
from rapport.framework.events import RecordEvent, event_queue
from rapport.framework.exceptions import RecordNotFound, RecordPermissionDenied
from rapport.framework.registry import RecordType
from rapport.framework.search import search_index_record, search_unindex_record
from rapport.framework.text import country_code

_PROTECTED = {"id", "created_at", "created_by", "updated_at", "updated_by"}


def _require_write(actor: Actor) -> None:
    if actor.read_only:
        raise RecordPermissionDenied(_("This API token is read-only."), code="read_only_token")
    if actor.user is None or not actor.user.is_active:
        raise RecordPermissionDenied()


def references_check(*, actor: Actor, record: models.Model, names: set[str]) -> None:
    """Every foreign key set in ``names`` must point at a record the actor may see."""
    errors: dict[str, ValidationError] = {}
    for f in record._meta.concrete_fields:
        if not f.is_relation or f.name not in names or f.name == "owner":
            continue
        target_id = getattr(record, f.attname)
        related = f.related_model
        if target_id is None or not isinstance(related, type) or not is_restricted(related):
            continue
        if not restricted(related, actor.user, "view").filter(pk=target_id).exists():
            errors[f.name] = ValidationError(
                _("No such record, or you may not see it."), code="does_not_exist"
            )
    if errors:
        raise ValidationError(errors)


def _children_write(
    actor: Actor,
    record_type: RecordType,
    record: models.Model,
    children: dict[str, list[dict[str, Any]]],
) -> dict[str, list[models.Model]]:
    """Replace the child rows named in ``children``; the rows written, by child name."""
    errors: dict[str, Any] = {}
    written: dict[str, list[models.Model]] = {}
    for spec in record_type.children:
        if spec.name not in children:
            continue
        rows = children[spec.name]
        if spec.record_clean:
            # raises its own errors, which name the row's field ("lines.0.currency")
            rows = spec.record_clean(record, rows)
        try:
            rows = spec.clean(rows) if spec.clean else rows
            objs = [spec.model(**{spec.fk: record, **row}) for row in rows]
            for i, obj in enumerate(objs):
                try:
                    obj.full_clean(exclude=[spec.fk], validate_unique=False)
                    references_check(actor=actor, record=obj, names=set(spec.fields))
                except ValidationError as exc:
                    errors.update({f"{spec.name}.{i}.{k}": v for k, v in exc.message_dict.items()})
        except ValidationError as exc:
            errors[spec.name] = exc.messages
            continue
        if errors:
            continue
        spec.model._default_manager.filter(**{spec.fk: record}).delete()
        written[spec.name] = spec.model._default_manager.bulk_create(objs)
    if errors:
        raise ValidationError(errors)
    return written


def _relations_write(actor: Actor, record: models.Model, relations: dict[str, list[Any]]) -> None:
    errors: dict[str, ValidationError] = {}
    for name, values in relations.items():
        field = record._meta.get_field(name)
        related = field.related_model
        ids = [v.pk if isinstance(v, models.Model) else v for v in values]
        if isinstance(related, type) and is_restricted(related) and ids:
            visible = set(
                restricted(related, actor.user, "view")
                .filter(pk__in=ids)
                .values_list("pk", flat=True)
            )
            if set(ids) - visible:
                errors[name] = ValidationError(
                    _("No such record, or you may not see it."), code="does_not_exist"
                )
                continue
        getattr(record, name).set(ids)
    if errors:
        raise ValidationError(errors)


def _countries_clean(record: models.Model) -> None:
    """Country fields take an ISO code, a country name (English or Chinese) or an alias,
    whatever the channel; what is not a country is left for validation to refuse."""
    for field in record._meta.concrete_fields:
        if isinstance(field, CountryField):
            value = str(getattr(record, field.attname) or "")
            if value and countries.alpha2(value) != value:
                setattr(record, field.attname, country_code(value) or value)


def _validate(record: models.Model, *, exclude: list[str]) -> None:
    record.full_clean(exclude=exclude, validate_constraints=True)


@transaction.atomic
def record_create(
    *,
    actor: Actor,
    record_type: RecordType,
    data: dict[str, Any],
    relations: dict[str, list[Any]] | None = None,
    children: dict[str, list[dict[str, Any]]] | None = None,
) -> models.Model:
    """Create one record of ``record_type`` from validated field values."""
    _require_write(actor)
    model = record_type.model
    record = model()
    names = {k for k in data if k not in _PROTECTED and k != "custom_fields"}
    for name in names:
        setattr(record, name, data[name])
    if isinstance(record, RecordModel):
        if getattr(record, "owner_id", None) is None and actor.user is not None:
            record.owner = actor.user
        now = timezone.now()
        record.created_at = record.updated_at = now
        record.created_by = record.updated_by = actor.user
        record.custom_fields = custom_fields_clean(
            record_type=record_type.key,
            values=data.get("custom_fields"),
            existing=None,
            user=actor.user,
            creating=True,
        )
        names.add("team")
    _countries_clean(record)
    references_check(actor=actor, record=record, names=names)
    if record_type.prepare:
        record_type.prepare(actor=actor, record=record, changed=names)
    _validate(record, exclude=["tags", "created_by", "updated_by"])
    record.save(force_insert=True)
    if relations:
        _relations_write(actor, record, relations)
    written: dict[str, list[models.Model]] = {}
    if children:
        written = _children_write(actor, record_type, record, children)
    if record_type.after_save:
        record_type.after_save(
            actor=actor, record=record, created=True, before=None, children=written
        )
    if not _may_add(actor, model, record, owner_named="owner" in data):
        raise RecordPermissionDenied(
            _("You may not create a record with these values (check the owner)."),
            code="create_denied",
        )
    search_index_record(record_type, record)
    changelog_write(
        actor=actor,
        action=ChangeAction.CREATE,
        record=record,
        object_id=record.pk,
        before=None,
        after=record_snapshot(record, record_type),
    )
    event_queue(
        RecordEvent(
            f"{record_type.key}.created",
            record_type.key,
            record.pk,
            actor.user.pk if actor.user else None,
            assigned_to=getattr(record, "owner_id", None),
            label=str(record)[:200],
        )
    )
    return record


def _may_add(
    actor: Actor, model: type[models.Model], record: models.Model, *, owner_named: bool
) -> bool:
    """The re-check of a create against the stored state. An owner the input did not name but
    a domain rule chose (a lead's assignment rules) is the organisation's choice, not the
    actor's: the record is judged as the actor would have owned it, everything else as saved."""
    allowed = restricted(model, actor.user, "add").filter(pk=record.pk)
    chosen = getattr(record, "owner_id", None)
    if (
        owner_named
        or not isinstance(record, RecordModel)
        or chosen == getattr(actor.user, "pk", None)
    ):
        return allowed.exists()
    rows = model._default_manager.filter(pk=record.pk)
    rows.update(owner=actor.user)
    try:
        return allowed.exists()
    finally:
        rows.update(owner=chosen)


@transaction.atomic
def record_update(
    *,
    actor: Actor,
    record_type: RecordType,
    record: models.Model,
    data: dict[str, Any],
    relations: dict[str, list[Any]] | None = None,
    children: dict[str, list[dict[str, Any]]] | None = None,
) -> models.Model:
    """Change fields of ``record`` (fetched by the caller through ``restrict(user, 'view')``)."""
    _require_write(actor)
    model = record_type.model
    allowed = restricted(model, actor.user, "change").filter(pk=record.pk)
    locked = allowed.select_for_update().first()
    if locked is None:
        if not restricted(model, actor.user, "view").filter(pk=record.pk).exists():
            raise RecordNotFound()
        raise RecordPermissionDenied()
    record = locked
    before = record_snapshot(record, record_type)
    names = {k for k in data if k not in _PROTECTED and k != "custom_fields"}
    changed = {n for n in names if _field_value(record, n) != _incoming(record, n, data[n])}
    for name in names:
        setattr(record, name, data[name])
    if isinstance(record, RecordModel):
        record.updated_at = timezone.now()
        record.updated_by = actor.user
        if "custom_fields" in data:
            record.custom_fields = custom_fields_clean(
                record_type=record_type.key,
                values=data["custom_fields"],
                existing=record.custom_fields,
                user=actor.user,
                creating=False,
            )
    _countries_clean(record)
    references_check(actor=actor, record=record, names=changed)
    if record_type.prepare:
        record_type.prepare(actor=actor, record=record, changed=changed)
    _validate(record, exclude=["tags", "created_by", "updated_by"])
    record.save()
    if relations:
        _relations_write(actor, record, relations)
    written: dict[str, list[models.Model]] = {}
    if children:
        written = _children_write(actor, record_type, record, children)
    if record_type.after_save:
        record_type.after_save(
            actor=actor, record=record, created=False, before=before, children=written
        )
    # Re-check against the new state; handing a record to another owner is allowed to anyone
    # who could change it before.
    if (
        "owner" not in changed
        and not restricted(model, actor.user, "change").filter(pk=record.pk).exists()
    ):
        raise RecordPermissionDenied(
            _("After this change you would no longer have access to the record."),
            code="update_denied",
        )
    search_index_record(record_type, record)
    after = record_snapshot(record, record_type)
    if changelog_write(
        actor=actor,
        action=ChangeAction.UPDATE,
        record=record,
        object_id=record.pk,
        before=before,
        after=after,
    ):
        event_queue(
            RecordEvent(
                f"{record_type.key}.updated",
                record_type.key,
                record.pk,
                actor.user.pk if actor.user else None,
                assigned_to=after.get("owner")
                if before.get("owner") != after.get("owner")
                else None,
                label=str(record)[:200],
            )
        )
    return record


def _field_value(record: models.Model, name: str) -> Any:
    f = record._meta.get_field(name)
    return getattr(record, f.attname) if f.concrete else None  # type: ignore[union-attr]


def _incoming(record: models.Model, name: str, value: Any) -> Any:
    f = record._meta.get_field(name)
    if f.is_relation and isinstance(value, models.Model):
        return value.pk
    return value


@transaction.atomic
def record_delete(*, actor: Actor, record_type: RecordType, record: models.Model) -> None:
    """Delete ``record``; denied unless the actor may delete it."""
    _require_write(actor)
    model = record_type.model
    if not restricted(model, actor.user, "delete").filter(pk=record.pk).exists():
        if not restricted(model, actor.user, "view").filter(pk=record.pk).exists():
            raise RecordNotFound()
        raise RecordPermissionDenied()
    if record_type.before_delete:
        record_type.before_delete(actor=actor, record=record)
    before = record_snapshot(record, record_type)
    pk, label = record.pk, str(record)  # deleting clears the pk, which str() may show
    try:
        record.delete()
    except models.ProtectedError as exc:
        count = len(exc.protected_objects)
        raise ValidationError(
            ngettext(
                "%(count)d other record still refers to this one.",
                "%(count)d other records still refer to this one.",
                count,
            )
            % {"count": count},
            code="protected",
        ) from None
    search_unindex_record(record_type, pk)
    if record_type.after_delete:
        record_type.after_delete(actor=actor, record=record, before=before)
    changelog_write(
        actor=actor,
        action=ChangeAction.DELETE,
        record=record,
        object_id=pk,
        before=before,
        after=None,
        object_repr=label,
    )
    event_queue(
        RecordEvent(
            f"{record_type.key}.deleted", record_type.key, pk, actor.user.pk if actor.user else None
        )
    )
