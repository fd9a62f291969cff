"""Merging two records of one type into one, and undoing the merge.

The survivor takes, field by field, its own value or the other record's; tags, custom fields
and child rows are united; every record that refers to the other is moved onto the survivor
(through the record type's ``merge_related`` hook); then the other record is deleted. What was
changed is kept in a :class:`~rapport.merges.models.MergeRecord` so that the merge can be
undone exactly: the other record comes back under its id and every moved row goes back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.framework.actor import Actor
from rapport.framework.audit import changelog_write, json_value, record_snapshot
from rapport.framework.base_models import RecordModel, restricted
from rapport.framework.choices import ChangeAction
from rapport.framework.events import RecordEvent, event_queue
from rapport.framework.exceptions import RecordNotFound, RecordPermissionDenied
from rapport.framework.registry import RecordType, get_record_type, record_type_for
from rapport.framework.search import search_index_record, search_unindex_record
from rapport.identity.choices import ShareLevel
from rapport.identity.models import RecordShare
from rapport.merges.choices import MergeKeep
from rapport.merges.models import MergeRecord

_NOT_MERGED = {"id", "created_at", "created_by", "updated_at", "updated_by", "custom_fields"}
# Keep choices for custom fields are named "custom_fields.<name>".
CUSTOM_KEEP_PREFIX = "custom_fields."


class MergeAlreadyUndone(Exception):
    """The merge was undone before; it cannot be undone twice."""

    code = "merge_already_undone"


@dataclass
class MergeMoves:
    """The changes a merge makes to rows other than the two records, in order, for undo."""

    entries: list[dict[str, Any]] = field(default_factory=list)

    def update(self, queryset: models.QuerySet[Any], **values: Any) -> int:
        """Set ``values`` (by column attribute name, e.g. ``contact_id``) on every row of
        ``queryset``, remembering the old values."""
        model = queryset.model
        label = model._meta.label_lower
        rows = list(queryset.order_by("pk").values("pk", *values))
        for row in rows:
            for name in values:
                self.entries.append(
                    {"model": label, "pk": row["pk"], "field": name, "old": json_value(row[name])}
                )
        if rows:
            model._default_manager.filter(pk__in=[r["pk"] for r in rows]).update(**values)
        return len(rows)

    def delete(self, queryset: models.QuerySet[Any]) -> int:
        """Delete the rows of ``queryset`` (duplicates of the survivor's), remembering them."""
        model = queryset.model
        label = model._meta.label_lower
        rows = list(queryset.order_by("pk"))
        for obj in rows:
            self.entries.append(
                {
                    "model": label,
                    "pk": obj.pk,
                    "row": {
                        f.attname: json_value(getattr(obj, f.attname))
                        for f in model._meta.concrete_fields
                    },
                }
            )
        if rows:
            model._default_manager.filter(pk__in=[o.pk for o in rows]).delete()
        return len(rows)

    def undo(self) -> None:
        """Put back every row as it was, last change first."""
        for entry in reversed(self.entries):
            model = apps.get_model(entry["model"])
            if "row" in entry:
                obj = model(
                    **{name: _python(model, name, value) for name, value in entry["row"].items()}
                )
                obj.save(force_insert=True)
            else:
                model._default_manager.filter(pk=entry["pk"]).update(
                    **{entry["field"]: _python(model, entry["field"], entry["old"])}
                )


def _python(model: type[models.Model], attname: str, value: Any) -> Any:
    f = next(f for f in model._meta.concrete_fields if f.attname == attname)
    return None if value is None else f.to_python(value)


def related_by_type_move(
    *,
    moves: MergeMoves,
    model: type[models.Model],
    survivor: models.Model,
    other: models.Model,
    type_field: str = "related_type",
    id_field: str = "related_id",
) -> int:
    """Move the rows of ``model`` that point at ``other`` by content type and id (activities)
    onto ``survivor``."""
    content_type = ContentType.objects.get_for_model(type(other))
    rows = model._default_manager.filter(**{type_field: content_type, id_field: other.pk})
    return moves.update(rows, **{id_field: survivor.pk})


_SHARE_RANK: dict[str, int] = {ShareLevel.READ: 0, ShareLevel.READ_WRITE: 1}


def shares_move(
    *, moves: MergeMoves, model: type[models.Model], survivor: models.Model, other: models.Model
) -> None:
    """Whoever ``other`` was shared with gets the survivor shared at the same level: a share
    for someone the survivor is already shared with keeps the higher of the two levels."""
    content_type = ContentType.objects.get_for_model(model)
    existing = {
        (share.user_id, share.team_id): share
        for share in RecordShare.objects.filter(content_type=content_type, object_id=survivor.pk)
    }
    for share in RecordShare.objects.filter(content_type=content_type, object_id=other.pk):
        kept = existing.get((share.user_id, share.team_id))
        if kept is None:
            moves.update(RecordShare.objects.filter(pk=share.pk), object_id=survivor.pk)
            continue
        if _SHARE_RANK.get(share.level, 0) > _SHARE_RANK.get(kept.level, 0):
            moves.update(RecordShare.objects.filter(pk=kept.pk), level=share.level)
        moves.delete(RecordShare.objects.filter(pk=share.pk))


def moved_records_reindex(moves: MergeMoves) -> None:
    """Bring the search entries of moved records up to date: a contact whose account was
    merged shows the surviving account's name."""
    by_model: dict[str, set[Any]] = {}
    for entry in moves.entries:
        if "field" in entry:
            by_model.setdefault(entry["model"], set()).add(entry["pk"])
    for label, pks in by_model.items():
        record_type = record_type_for(apps.get_model(label))
        if record_type is None:
            continue
        for pk in sorted(pks):
            search_index_record(record_type, record_type.model(pk=pk))


@dataclass(frozen=True)
class MergeResult:
    survivor: models.Model
    merge: MergeRecord


def _require_write(actor: Actor) -> None:
    if actor.read_only:
        raise RecordPermissionDenied(_("This API token is read-only."), code="read_only_token")
    if actor.user is None or not actor.user.is_active:
        raise RecordPermissionDenied()


def mergeable_fields(model: type[models.Model]) -> dict[str, models.Field[Any, Any]]:
    return {
        f.name: f
        for f in model._meta.concrete_fields
        if f.editable and not f.primary_key and f.name not in _NOT_MERGED
    }


def _keep_check(
    keep: dict[str, str], fields: dict[str, Any], custom_keys: set[str]
) -> dict[str, str]:
    errors: dict[str, ValidationError] = {}
    for name, side in keep.items():
        known = name in fields or (
            name.startswith(CUSTOM_KEEP_PREFIX) and name[len(CUSTOM_KEEP_PREFIX) :] in custom_keys
        )
        if not known:
            errors[f"keep.{name}"] = ValidationError(
                _("Unknown field: %(name)s.") % {"name": name}, code="unknown_field"
            )
        elif side not in MergeKeep.values:
            errors[f"keep.{name}"] = ValidationError(
                _("Choose “survivor” or “other”."), code="invalid_choice"
            )
    if errors:
        raise ValidationError(errors)
    return keep


def _custom_merge(
    survivor: dict[str, Any], other: dict[str, Any], keep: dict[str, str]
) -> dict[str, Any]:
    """Key by key: the chosen side's value (the survivor's by default), else the other's."""
    merged: dict[str, Any] = {}
    for key in sorted(set(survivor) | set(other)):
        first, second = (
            (other, survivor)
            if keep.get(CUSTOM_KEEP_PREFIX + key) == "other"
            else (survivor, other)
        )
        value = first.get(key)
        merged[key] = value if value not in (None, "", []) else second.get(key, value)
    return merged


def _tag_ids(record: models.Model) -> list[int]:
    if not hasattr(record, "tags"):
        return []
    return sorted(record.tags.values_list("pk", flat=True))  # type: ignore[attr-defined]


def _lock(model: type[models.Model], *pks: Any) -> dict[Any, models.Model]:
    # Always in id order, so that two merges of the same pair cannot deadlock.
    rows = model._default_manager.select_for_update().filter(pk__in=pks).order_by("pk")
    return {r.pk: r for r in rows}


@transaction.atomic
def record_merge(
    *,
    actor: Actor,
    record_type: RecordType,
    survivor: models.Model,
    other: models.Model,
    keep: dict[str, str] | None = None,
) -> MergeResult:
    """Merge ``other`` into ``survivor`` (both of ``record_type``) and delete ``other``.

    The actor must be able to see both (else :class:`RecordNotFound`), change the survivor and
    delete the other (else :class:`RecordPermissionDenied`).
    """
    _require_write(actor)
    model = record_type.model
    if record_type.merge_related is None:
        raise ValidationError(
            _("Records of this type cannot be merged."), code="merge_not_supported"
        )
    if survivor.pk == other.pk:
        raise ValidationError(
            {"other": ValidationError(_("A record cannot be merged with itself."), code="same")}
        )
    pks = (survivor.pk, other.pk)
    if restricted(model, actor.user, "view").filter(pk__in=pks).count() != 2:
        raise RecordNotFound()
    if not (
        restricted(model, actor.user, "change").filter(pk=survivor.pk).exists()
        and restricted(model, actor.user, "delete").filter(pk=other.pk).exists()
    ):
        raise RecordPermissionDenied(
            _("You may merge only into a record you may change, and only one you may delete."),
            code="merge_denied",
        )
    locked = _lock(model, *pks)
    survivor, other = locked[survivor.pk], locked[other.pk]
    fields = mergeable_fields(model)
    is_record = isinstance(survivor, RecordModel) and isinstance(other, RecordModel)
    survivor_custom: dict[str, Any] = dict(survivor.custom_fields or {}) if is_record else {}  # type: ignore[attr-defined]
    other_custom: dict[str, Any] = dict(other.custom_fields or {}) if is_record else {}  # type: ignore[attr-defined]
    keep = _keep_check(dict(keep or {}), fields, set(survivor_custom) | set(other_custom))

    before = record_snapshot(survivor, record_type)
    other_snapshot = record_snapshot(other, record_type)
    survivor_tags, other_tags = _tag_ids(survivor), _tag_ids(other)
    other_pk, other_label = other.pk, str(other)

    changed: set[str] = set()
    for name, f in fields.items():
        if keep.get(name) == MergeKeep.OTHER:
            value = getattr(other, f.attname)
            if value != getattr(survivor, f.attname):
                setattr(survivor, f.attname, value)
                changed.add(name)
        if f.is_relation and f.related_model is model and getattr(survivor, f.attname) in pks:
            setattr(survivor, f.attname, None)  # a record cannot be its own parent
            changed.add(name)
    if is_record:
        survivor.custom_fields = _custom_merge(survivor_custom, other_custom, keep)  # type: ignore[attr-defined]
        survivor.updated_at = timezone.now()  # type: ignore[attr-defined]
        survivor.updated_by = actor.user  # type: ignore[attr-defined]
    if record_type.prepare:
        record_type.prepare(actor=actor, record=survivor, changed=changed)
    survivor.full_clean(exclude=["tags", "created_by", "updated_by"], validate_constraints=True)
    survivor.save()
    if hasattr(survivor, "tags"):
        survivor.tags.add(*other.tags.all())  # type: ignore[attr-defined]

    moves = MergeMoves()
    record_type.merge_related(actor=actor, survivor=survivor, other=other, moves=moves)
    shares_move(moves=moves, model=model, survivor=survivor, other=other)
    other.delete()
    if record_type.after_save:
        record_type.after_save(
            actor=actor, record=survivor, created=False, before=before, children={}
        )
    search_index_record(record_type, survivor)
    search_unindex_record(record_type, other_pk)
    moved_records_reindex(moves)

    merge = MergeRecord.objects.create(
        record_type=record_type.key,
        survivor_id=survivor.pk,
        other_id=other_pk,
        other_snapshot={"fields": other_snapshot, "tag_ids": other_tags},
        survivor_before={"fields": before, "tag_ids": survivor_tags},
        moves=moves.entries,
        actor=actor.user if actor.user is not None and actor.user.pk else None,
    )
    after = record_snapshot(survivor, record_type)
    changelog_write(
        actor=actor,
        action=ChangeAction.MERGE,
        record=survivor,
        object_id=survivor.pk,
        before=before,
        after={**after, "merged_id": other_pk, "merged_record": other_snapshot, "merge": merge.pk},
    )
    changelog_write(
        actor=actor,
        action=ChangeAction.DELETE,
        record=other,
        object_id=other_pk,
        before=other_snapshot,
        after=None,
        object_repr=other_label,
    )
    user_id = actor.user.pk if actor.user else None
    event_queue(RecordEvent(f"{record_type.key}.merged", record_type.key, survivor.pk, user_id))
    event_queue(RecordEvent(f"{record_type.key}.deleted", record_type.key, other_pk, user_id))
    return MergeResult(survivor=survivor, merge=merge)


def _restore(record: models.Model, values: dict[str, Any]) -> None:
    for f in record._meta.concrete_fields:
        if f.name in values:
            value = values[f.name]
            setattr(record, f.attname, None if value is None else f.to_python(value))


@transaction.atomic
def record_merge_undo(*, actor: Actor, merge: MergeRecord) -> MergeRecord:
    """Bring back the merged record under its id, move back what the merge moved and restore
    the survivor's values. Only the merge's actor or an administrator may undo it."""
    _require_write(actor)
    user = actor.user
    if user is None or not (user.is_superuser or merge.actor_id == user.pk):
        raise RecordNotFound()
    merge = MergeRecord.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise MergeAlreadyUndone(_("This merge has already been undone."))
    record_type = get_record_type(merge.record_type)
    model = record_type.model
    survivor = _lock(model, merge.survivor_id).get(merge.survivor_id)
    if survivor is None or not restricted(model, user, "view").filter(pk=survivor.pk).exists():
        raise RecordNotFound()
    if not restricted(model, user, "change").filter(pk=survivor.pk).exists():
        raise RecordPermissionDenied()
    if model._default_manager.filter(pk=merge.other_id).exists():
        raise ValidationError(
            _("The merged record exists again; the merge cannot be undone."), code="other_exists"
        )
    now = timezone.now()
    before = record_snapshot(survivor, record_type)

    other = model(pk=merge.other_id)
    _restore(other, merge.other_snapshot["fields"])
    if isinstance(other, RecordModel):
        other.updated_at, other.updated_by = now, user
    try:
        # Rows changed since the merge (an address added twice, say) may collide.
        with transaction.atomic():
            other.save(force_insert=True)
            if hasattr(other, "tags"):
                other.tags.set(merge.other_snapshot["tag_ids"])
            MergeMoves(entries=list(merge.moves)).undo()
            _restore(survivor, merge.survivor_before["fields"])
            if isinstance(survivor, RecordModel):
                survivor.updated_at, survivor.updated_by = now, user
            survivor.save()
            if hasattr(survivor, "tags"):
                survivor.tags.set(merge.survivor_before["tag_ids"])
    except IntegrityError:
        raise ValidationError(
            _("The records changed since the merge in a way that prevents undoing it."),
            code="undo_conflict",
        ) from None
    for record in (survivor, other):
        if record_type.after_save:
            record_type.after_save(actor=actor, record=record, created=False, children={})
        search_index_record(record_type, record)
    moved_records_reindex(MergeMoves(entries=list(merge.moves)))

    merge.undone_at = now
    merge.save(update_fields=["undone_at"])
    changelog_write(
        actor=actor,
        action=ChangeAction.UPDATE,
        record=survivor,
        object_id=survivor.pk,
        before=before,
        after=record_snapshot(survivor, record_type),
    )
    changelog_write(
        actor=actor,
        action=ChangeAction.CREATE,
        record=other,
        object_id=other.pk,
        before=None,
        after=record_snapshot(other, record_type),
    )
    event_queue(RecordEvent(f"{record_type.key}.updated", record_type.key, survivor.pk, user.pk))
    event_queue(RecordEvent(f"{record_type.key}.created", record_type.key, other.pk, user.pk))
    return merge
