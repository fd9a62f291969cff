"""What a record page shows of a record's past: its timeline (activities and changes) and its
history of changes, with field labels, displayed values and user names.

Names are resolved in bulk: one query for every user named, one per related type named,
whatever the number of entries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from rapport.activities.choices import ActivityKind
from rapport.core.models import ChangeLogEntry
from rapport.core.selectors import record_changes
from rapport.framework.base_models import is_restricted, restricted
from rapport.framework.choices import ChangeAction, Channel
from rapport.framework.registry import RecordType
from rapport.framework.timeline import TimelineItem
from rapport.framework.ui.columns import CF_PREFIX, Column, _model_column, display
from rapport.identity.models import User

HISTORY_LIMIT = 200


@dataclass(frozen=True)
class ChangeLine:
    label: str
    before: str
    after: str


@dataclass
class PastEntry:
    """One timeline item or history entry, ready to show."""

    time: dt.datetime
    kind: str
    title: str
    user: str = ""
    channel: str = ""
    action: str = ""
    lines: list[ChangeLine] = field(default_factory=list)
    body: str = ""
    done: bool | None = None
    activity_id: int | None = None
    kind_label: str = ""


class _Formatter:
    """Formats change-log values of one record type, with names resolved in bulk."""

    def __init__(self, rt: RecordType, columns: dict[str, Column], user: Any) -> None:
        self.rt = rt
        self.columns = columns
        self.user = user
        self.labels: dict[str, dict[Any, str]] = {}
        self.children = {c.name: c for c in rt.children}

    def column(self, name: str) -> Column:
        return self.columns.get(name) or _model_column(self.rt, name)

    def _relation_targets(
        self, name: str, value: Any
    ) -> Iterable[tuple[str, type[models.Model], Any]]:
        """``(label key, model, id)`` of every record id that ``value`` of ``name`` names."""
        if name in self.children:
            child = self.children[name]
            for row in value if isinstance(value, list) else []:
                if not isinstance(row, dict):
                    continue
                for fname in child.fields:
                    f = child.model._meta.get_field(fname)
                    if f.is_relation and row.get(fname) is not None:
                        yield f"{name}.{fname}", f.related_model, row[fname]  # type: ignore[misc]
            return
        col = self.column(name)
        if col.kind == "relation" and col.related is not None and value is not None:
            yield name, col.related, value

    def prepare(self, snapshots: Iterable[dict[str, Any] | None]) -> None:
        """Resolve the names of every related record and user that ``snapshots`` name."""
        wanted: dict[str, tuple[type[models.Model], set[Any]]] = {}
        for snap in snapshots:
            for name, value in (snap or {}).items():
                for key, model, pk in self._relation_targets(name, value):
                    wanted.setdefault(key, (model, set()))[1].add(pk)
        by_model: dict[type[models.Model], set[Any]] = {}
        for model, ids in wanted.values():
            by_model.setdefault(model, set()).update(ids)
        names: dict[type[models.Model], dict[Any, str]] = {}
        for model, ids in by_model.items():
            qs = (
                restricted(model, self.user, "view")
                if is_restricted(model)
                else model._default_manager.all()
            )
            names[model] = {obj.pk: _name(obj) for obj in qs.filter(pk__in=ids)}
        self.labels = {key: names[model] for key, (model, _ids) in wanted.items()}

    def value(self, name: str, value: Any) -> str:
        if value is None or value == "" or value == []:
            return "—"
        if name in self.children:
            rows = []
            for row in value if isinstance(value, list) else []:
                parts = []
                for k, v in row.items() if isinstance(row, dict) else []:
                    if v in (None, "", False):
                        continue
                    if f"{name}.{k}" in self.labels:
                        parts.append(self.labels[f"{name}.{k}"].get(v, f"#{v}"))
                    elif v is True:
                        f: Any = self.children[name].model._meta.get_field(k)
                        parts.append(str(f.verbose_name))
                    else:
                        parts.append(str(v))
                rows.append(" ".join(parts))
            return "; ".join(rows) or "—"
        return display(self.column(name), value, self.labels) or "—"

    def label(self, name: str) -> str:
        if name in self.children:
            return str(self.children[name].model._meta.verbose_name_plural).capitalize()
        return self.column(name).label

    def lines(
        self, before: dict[str, Any] | None, after: dict[str, Any] | None
    ) -> list[ChangeLine]:
        before, after = before or {}, after or {}
        result: list[ChangeLine] = []
        for name in sorted(set(before) | set(after)):
            old, new = before.get(name), after.get(name)
            if old == new:
                continue
            if name == "custom_fields" and isinstance(old or new, dict):
                old_d, new_d = old or {}, new or {}
                for key in sorted(set(old_d) | set(new_d)):
                    if old_d.get(key) != new_d.get(key):
                        col = self.columns.get(CF_PREFIX + key)
                        label = col.label if col else key
                        result.append(
                            ChangeLine(label, _plain(old_d.get(key)), _plain(new_d.get(key)))
                        )
                continue
            if name in ("id", "created_at", "created_by", "updated_at", "updated_by"):
                continue
            line = ChangeLine(self.label(name), self.value(name, old), self.value(name, new))
            if line.before != line.after:  # "" and None, say, both show as "—"
                result.append(line)
        return result


def _plain(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(value)


def _name(obj: models.Model) -> str:
    if isinstance(obj, User):
        return obj.get_full_name() or obj.get_username()
    return str(obj)


def _user_names(ids: set[Any]) -> dict[Any, str]:
    ids.discard(None)
    if not ids:
        return {}
    return {u.pk: _name(u) for u in User.objects.filter(pk__in=ids)}


def _action_title(action: str, lines: list[ChangeLine]) -> str:
    if action == ChangeAction.UPDATE:
        return ", ".join(line.label for line in lines) or str(ChangeAction.UPDATE.label)
    try:
        return str(ChangeAction(action).label)
    except ValueError:
        return action


def _kind_label(kind: str) -> str:
    """``activity.call`` -> "Call"; other timeline kinds by their last part."""
    value = kind.split(".", 1)[-1]
    if kind.startswith("activity."):
        try:
            return str(ActivityKind(value).label)
        except ValueError:
            pass
    return value.replace("_", " ").capitalize()


def _channel(value: str) -> str:
    try:
        return str(Channel(value).label)
    except ValueError:
        return value


def timeline_entries(
    rt: RecordType, columns: dict[str, Column], items: list[TimelineItem], user: Any
) -> list[PastEntry]:
    """``items`` of ``record_timeline`` ready to show: changes as "field: before → after"
    with the user's name, activities with their subject and text."""
    fmt = _Formatter(rt, columns, user)
    changes = [i for i in items if i.kind.startswith("change.")]
    fmt.prepare(s for i in changes for s in (i.detail.get("before"), i.detail.get("after")))
    users = _user_names({i.detail.get("user") for i in changes})
    entries = []
    for item in items:
        if item.kind.startswith("change."):
            action = item.kind.split(".", 1)[1]
            lines = (
                fmt.lines(item.detail.get("before"), item.detail.get("after"))
                if action == ChangeAction.UPDATE
                else []
            )
            entries.append(
                PastEntry(
                    time=item.time,
                    kind=item.kind,
                    title=_action_title(action, lines),
                    user=users.get(item.detail.get("user"), ""),
                    channel=_channel(str(item.detail.get("channel") or "")),
                    action=action,
                    lines=lines,
                )
            )
        else:
            entries.append(
                PastEntry(
                    time=item.time,
                    kind=item.kind,
                    title=item.title,
                    body=str(item.detail.get("body") or ""),
                    done=item.detail.get("done"),
                    activity_id=item.detail.get("id"),
                    kind_label=_kind_label(item.kind),
                )
            )
    return entries


def record_history(
    rt: RecordType,
    columns: dict[str, Column],
    record: models.Model,
    user: Any,
    limit: int = HISTORY_LIMIT,
) -> list[PastEntry]:
    """The newest ``limit`` changes of ``record`` (fetched through ``restrict`` by the caller):
    who, when, through which channel, and each field before and after."""
    entries: list[ChangeLogEntry] = list(record_changes(record)[:limit])
    fmt = _Formatter(rt, columns, user)
    fmt.prepare(s for e in entries for s in (e.before, e.after))
    users = _user_names({e.user_id for e in entries})
    result = []
    for e in entries:
        lines = fmt.lines(e.before, e.after) if e.action == ChangeAction.UPDATE else []
        if e.action == ChangeAction.CREATE:
            lines = fmt.lines({}, e.after)
        result.append(
            PastEntry(
                time=e.time,
                kind=f"change.{e.action}",
                title=_action_title(e.action, lines),
                user=users.get(e.user_id, ""),
                channel=_channel(e.channel),
                action=e.action,
                lines=lines,
            )
        )
    return result
