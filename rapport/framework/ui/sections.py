"""Sections of a record page: the fields of a record grouped under headings.

A record type may declare its own (``RecordType.sections``); otherwise fields are grouped
generically: the main fields, each address (``street``, ``city``, ``region``, ``postal_code``,
``country``, with a shared prefix such as ``billing_``), the description, then the system
fields (owner, team, created, updated). Custom fields always get a section of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from rapport.framework.base_models import is_restricted, restricted
from rapport.framework.registry import RecordType
from rapport.framework.ui.columns import CF_PREFIX, Column, display

ADDRESS_PARTS = ("street", "city", "region", "postal_code", "country")
SYSTEM_FIELDS = ("owner", "team", "created_at", "created_by", "updated_at", "updated_by")
DESCRIPTION_FIELDS = ("description",)


@dataclass
class ShownField:
    column: Column
    text: str


@dataclass
class Section:
    key: str
    title: str
    fields: list[ShownField] = field(default_factory=list)


def _address_prefix(name: str) -> str | None:
    for part in ADDRESS_PARTS:
        if name == part or name.endswith("_" + part):
            return name[: -len(part)]
    return None


def _address_title(prefix: str) -> str:
    titles = {
        "": _("Address"),
        "billing_": _("Billing address"),
        "shipping_": _("Shipping address"),
    }
    if prefix in titles:
        return titles[prefix]
    return _("Address (%(kind)s)") % {"kind": prefix.strip("_").replace("_", " ")}


def generic_sections(names: list[str]) -> list[tuple[str, str, list[str]]]:
    """``(key, title, field names)`` of the generic grouping of ``names`` (custom fields
    excluded), in the order of the names within each section."""
    main: list[str] = []
    addresses: dict[str, list[str]] = {}
    description: list[str] = []
    system: list[str] = []
    for name in names:
        prefix = _address_prefix(name)
        if name in SYSTEM_FIELDS:
            system.append(name)
        elif name in DESCRIPTION_FIELDS:
            description.append(name)
        elif prefix is not None:
            addresses.setdefault(prefix, []).append(name)
        else:
            main.append(name)
    # A lone "city" or "country" is a main field; an address has at least two parts.
    for prefix, parts in list(addresses.items()):
        if len(parts) < 2:
            main.extend(parts)
            del addresses[prefix]
    result = [("main", _("Details"), main)]
    result += [
        (f"address-{prefix.strip('_') or 'main'}", _address_title(prefix), parts)
        for prefix, parts in addresses.items()
    ]
    result += [("description", _("Description"), description), ("system", _("System"), system)]
    return result


def record_sections(
    rt: RecordType,
    columns: dict[str, Column],
    data: dict[str, Any],
    labels: dict[str, dict[Any, str]],
) -> list[Section]:
    """The non-empty sections of a record (``data``: its API representation)."""
    plain = [n for n in columns if not n.startswith(CF_PREFIX)]
    if rt.sections:
        declared = [(f"s{i}", title, list(names)) for i, (title, names) in enumerate(rt.sections)]
        placed = {n for _key, _title, names in declared for n in names}
        rest = [n for n in plain if n not in placed]
        if rest:
            declared[0][2].extend(rest)
        layout = declared
    else:
        layout = generic_sections(plain)
    layout.append(("custom", _("Custom fields"), [n for n in columns if n.startswith(CF_PREFIX)]))
    custom_values = data.get("custom_fields") or {}
    sections = []
    for key, title, names in layout:
        section = Section(key, str(title))
        for name in names:
            col = columns.get(name)
            if col is None:
                continue
            value = custom_values.get(col.custom.name) if col.custom else data.get(name)
            text = display(col, value, labels)
            if text:
                section.fields.append(ShownField(col, text))
        if section.fields:
            sections.append(section)
    return sections


@dataclass
class ChildList:
    key: str
    title: str
    rows: list[str]


def child_lists(rt: RecordType, data: dict[str, Any], user: Any) -> list[ChildList]:
    """A record's child rows (a contact's emails, phones, memberships) as one line each;
    related records named only if ``user`` may see them (one query per related field)."""
    result = []
    for child in rt.children:
        rows = data.get(child.name) or []
        if not rows:
            continue
        fields = [child.model._meta.get_field(n) for n in child.fields]
        names: dict[str, dict[Any, str]] = {}
        for f in fields:
            model = f.related_model if f.is_relation else None
            if isinstance(model, type):
                ids = {row.get(f.name) for row in rows} - {None}
                qs = (
                    restricted(model, user, "view")
                    if is_restricted(model)
                    else model._default_manager.all()
                )
                names[f.name] = {obj.pk: str(obj) for obj in qs.filter(pk__in=ids)}
        lines = []
        for row in rows:
            parts = []
            for f in fields:
                value = row.get(f.name)
                if value in (None, "", False):
                    continue
                if f.name in names:
                    parts.append(names[f.name].get(value, _("(not visible)")))
                elif value is True:
                    parts.append(str(getattr(f, "verbose_name", f.name)))
                elif getattr(f, "choices", None):
                    parts.append(str(dict(f.choices).get(value, value)))  # type: ignore[union-attr, arg-type]
                else:
                    parts.append(str(value))
            lines.append(" · ".join(parts))
        title = str(child.model._meta.verbose_name_plural).capitalize()
        result.append(ChildList(child.name, title, lines))
    return result
