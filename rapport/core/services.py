"""Writes of the core app: rules for custom-field definitions (applied by the framework
services), the privacy rewrite of the change log, and saved list views."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from rapport.core.choices import CustomFieldType, SavedViewVisibility
from rapport.core.custom_fields import custom_field_value_clean
from rapport.core.models import ChangeLogEntry, CustomFieldDefinition, SavedView
from rapport.framework.actor import Actor
from rapport.framework.exceptions import RecordPermissionDenied
from rapport.framework.registry import get_record_type
from rapport.identity.models import Team


def custom_field_prepare(
    *, actor: Actor, record: CustomFieldDefinition, changed: set[str], **_kw: Any
) -> None:
    """The record types must exist; choice fields need choices; the default must be valid."""
    errors: dict[str, ValidationError] = {}
    for field in ("record_type", "reference_type"):
        key = getattr(record, field)
        if key or field == "record_type":
            try:
                rt = get_record_type(key)
            except KeyError:
                errors[field] = ValidationError(_("Unknown record type."), code="invalid_choice")
                continue
            if rt.is_config:
                errors[field] = ValidationError(
                    _("Choose a business record type."), code="invalid_choice"
                )
    if record.field_type == CustomFieldType.REFERENCE and not record.reference_type:
        errors["reference_type"] = ValidationError(
            _("Name the referenced record type."), code="required"
        )
    if record.field_type in (CustomFieldType.CHOICE, CustomFieldType.MULTIPLE_CHOICE) and (
        not isinstance(record.choices, list)
        or not record.choices
        or not all(isinstance(c, str) and c for c in record.choices)
    ):
        errors["choices"] = ValidationError(_("Give a list of choices."), code="required")
    if record.pk is not None and "field_type" in changed:
        errors["field_type"] = ValidationError(
            _("The type of an existing field cannot change."), code="immutable"
        )
    if not errors and record.default not in (None, "", []):
        try:
            record.default = custom_field_value_clean(record, record.default, actor.user)
        except ValidationError as exc:
            errors["default"] = exc
    if errors:
        raise ValidationError(errors)


def changelog_anonymise(
    *,
    content_type: ContentType,
    object_id: int | str,
    fields: Mapping[str, Any],
    scrub: Sequence[str] = (),
    replacement: str = "",
    object_repr: str | None = None,
) -> int:
    """Rewrite the change-log rows of one record to remove a person's data (privacy erasure).

    This is the one deliberate exception to the append-only change log, used only by the
    privacy erasure: in every ``before``/``after`` of the record's rows, each key named in
    ``fields`` is set to the given value, every occurrence of a string of ``scrub`` inside a
    string value is replaced by ``replacement``, and ``object_repr`` (when given) replaces the
    stored label. Who changed what and when stays. Returns the number of rows rewritten.

    The guards of ``ChangeLogQuerySet`` and ``ChangeLogEntry.save`` stay in place for all other
    code: the rows are written through a plain ``QuerySet`` built here, not the model's manager.
    """
    needles = sorted({s for s in scrub if s}, key=len, reverse=True)

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            for needle in needles:
                value = re.sub(re.escape(needle), replacement, value, flags=re.IGNORECASE)
            return value
        if isinstance(value, list):
            return [clean(v) for v in value]
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        return value

    def rewrite(values: dict[str, Any] | None) -> dict[str, Any] | None:
        if values is None:
            return None
        return {k: (fields[k] if k in fields else clean(v)) for k, v in values.items()}

    # A plain QuerySet: the model's own manager refuses every update, on purpose.
    rows: models.QuerySet[ChangeLogEntry] = models.QuerySet(model=ChangeLogEntry).filter(
        content_type=content_type, object_id=str(object_id)
    )
    rewritten = 0
    with transaction.atomic():
        for pk, before, after, label in rows.select_for_update().values_list(
            "pk", "before", "after", "object_repr"
        ):
            new_label = object_repr if object_repr is not None else clean(label)
            new_before, new_after = rewrite(before), rewrite(after)
            if (new_before, new_after, new_label) == (before, after, label):
                continue
            models.QuerySet(model=ChangeLogEntry).filter(pk=pk).update(
                before=new_before, after=new_after, object_repr=new_label[:200]
            )
            rewritten += 1
    return rewritten


# Query parameters that say where a list is, not what it shows: never part of a saved view.
SAVED_VIEW_DROPPED_PARAMS = frozenset({"cursor", "view", "csrfmiddlewaretoken"})


def saved_view_query_clean(query: str) -> str:
    """``query`` (a list's query string) without paging and page-state parameters, with its
    empty values dropped."""
    pairs = [
        (k, v)
        for k, v in parse_qsl(query.lstrip("?"), keep_blank_values=False)
        if k not in SAVED_VIEW_DROPPED_PARAMS
    ]
    return urlencode(pairs)


def _saved_view_check(view: SavedView, user: Any) -> None:
    errors: dict[str, ValidationError] = {}
    view.name = view.name.strip()
    if not view.name:
        errors["name"] = ValidationError(_("Give the view a name."), code="required")
    elif (
        SavedView.objects.filter(owner=user, record_type=view.record_type, name=view.name)
        .exclude(pk=view.pk)
        .exists()
    ):
        errors["name"] = ValidationError(_("You already have a view of this name."), code="unique")
    try:
        get_record_type(view.record_type)
    except KeyError:
        errors["record_type"] = ValidationError(_("Unknown record type."), code="invalid_choice")
    if view.visibility == SavedViewVisibility.TEAM:
        if view.team_id is None:
            errors["team"] = ValidationError(_("Choose the team to share with."), code="required")
        elif not Team.objects.filter(pk=view.team_id, members=user).exists():
            errors["team"] = ValidationError(
                _("You can share only with a team you belong to."), code="not_a_member"
            )
    else:
        view.team = None
    if errors:
        raise ValidationError(errors)
    view.full_clean(exclude=["owner", "team"], validate_unique=False)


def _saved_view_save(view: SavedView, user: Any) -> SavedView:
    _saved_view_check(view, user)
    view.query = saved_view_query_clean(view.query)
    view.save()
    if view.is_default:
        # One default per user and record type: the newest choice wins.
        SavedView.objects.filter(owner=user, record_type=view.record_type, is_default=True).exclude(
            pk=view.pk
        ).update(is_default=False)
    return view


@transaction.atomic
def saved_view_create(
    *,
    actor: Actor,
    record_type: str,
    name: str,
    query: str,
    visibility: SavedViewVisibility = SavedViewVisibility.PRIVATE,
    team: Team | None = None,
    is_default: bool = False,
) -> SavedView:
    """Save the list of ``record_type`` the actor is looking at (``query``) under ``name``,
    private or shared with one of the actor's teams."""
    if actor.user is None or not actor.user.is_active or actor.read_only:
        raise RecordPermissionDenied()
    view = SavedView(
        name=name,
        record_type=record_type,
        owner=actor.user,
        team=team,
        visibility=visibility,
        query=query,
        is_default=is_default,
    )
    return _saved_view_save(view, actor.user)


def _saved_view_owned(actor: Actor, view: SavedView) -> None:
    if actor.user is None or actor.read_only or view.owner_id != actor.user.pk:
        raise RecordPermissionDenied(_("Only the owner of a view can change or delete it."))


@transaction.atomic
def saved_view_update(
    *,
    actor: Actor,
    view: SavedView,
    name: str | None = None,
    query: str | None = None,
    visibility: SavedViewVisibility | None = None,
    team: Team | None = None,
    is_default: bool | None = None,
) -> SavedView:
    """Change a view of the actor's own; arguments left None stay as they are."""
    _saved_view_owned(actor, view)
    if name is not None:
        view.name = name
    if query is not None:
        view.query = query
    if visibility is not None:
        view.visibility = visibility
        view.team = team
    if is_default is not None:
        view.is_default = is_default
    return _saved_view_save(view, actor.user)


@transaction.atomic
def saved_view_delete(*, actor: Actor, view: SavedView) -> None:
    """Delete a view of the actor's own (the records it lists are untouched)."""
    _saved_view_owned(actor, view)
    view.delete()
