"""Fast list representation: the record type's serializer output, read with a few flat queries.

DRF's generic serializer machinery costs more than the database on list pages (about 1 ms a
record with nested rows). ``PageReader`` compiles the serializer's fields once into a plan:
plain fields are read from the page's instances and formatted by the serializer field's own
``to_representation`` (so the output is identical); many-to-many values and nested child lists
come from one ``values()`` query each for the whole page. A serializer with a field the plan
does not understand is read the ordinary way.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django_countries.serializer_fields import CountryField
from rest_framework import serializers
from rest_framework.relations import ManyRelatedField, PrimaryKeyRelatedField, SlugRelatedField

Row = dict[str, Any]


class Unsupported(Exception):
    """The serializer has a field the fast plan cannot read."""


@dataclass(frozen=True)
class _Scalar:
    name: str
    attname: str
    format: Callable[[Any], Any]
    is_fk: bool


@dataclass(frozen=True)
class _Many:
    name: str
    through: type[models.Model]
    source_col: str
    target_col: str  # a through-table column or a lookup through it (tag__name)
    order: tuple[str, ...]  # the target model's own ordering, as the serializer reads it


@dataclass(frozen=True)
class _Children:
    name: str
    model: type[models.Model]
    fk_col: str
    columns: tuple[tuple[str, str, Callable[[Any], Any]], ...]  # (output, lookup, format)
    order: tuple[str, ...]


def _formatter(field: serializers.Field) -> Callable[[Any], Any]:  # type: ignore[type-arg]
    if isinstance(field, CountryField) and not getattr(field, "country_dict", False):
        return lambda country: country.code if country else ""
    to_repr = field.to_representation

    def fmt(value: Any) -> Any:
        return None if value is None else to_repr(value)

    return fmt


def _scalar(model: type[models.Model], name: str, field: serializers.Field) -> _Scalar:  # type: ignore[type-arg]
    source = field.source or name
    if "." in source:
        raise Unsupported(name)
    try:
        model_field = model._meta.get_field(source)
    except Exception:
        raise Unsupported(name) from None
    if model_field.many_to_many or model_field.one_to_many:
        raise Unsupported(name)
    if isinstance(field, PrimaryKeyRelatedField):
        return _Scalar(name, model_field.attname, lambda v: v, True)  # type: ignore[union-attr]
    if isinstance(field, serializers.RelatedField):
        raise Unsupported(name)
    if model_field.is_relation:
        # A custom field class over a foreign key: give it the related object (cached).
        return _Scalar(name, model_field.name, _formatter(field), False)
    return _Scalar(name, model_field.name, _formatter(field), False)


def _many(model: type[models.Model], name: str, field: ManyRelatedField) -> _Many:
    model_field = model._meta.get_field(field.source or name)
    through = model_field.remote_field.through  # type: ignore[union-attr]
    source_col = model_field.m2m_field_name() + "_id"  # type: ignore[union-attr]
    target_fk = model_field.m2m_reverse_field_name()  # type: ignore[union-attr]
    target_ordering = model_field.related_model._meta.ordering or ["pk"]  # type: ignore[union-attr]
    order = tuple(f"-{target_fk}__{o[1:]}" if o.startswith("-") else f"{target_fk}__{o}"
                  for o in target_ordering if isinstance(o, str))
    relation = field.child_relation
    if isinstance(relation, SlugRelatedField):
        return _Many(name, through, source_col, f"{target_fk}__{relation.slug_field}", order)
    if isinstance(relation, PrimaryKeyRelatedField):
        return _Many(name, through, source_col, f"{target_fk}_id", order)
    raise Unsupported(name)


def _children(model: type[models.Model], name: str,
              field: serializers.ListSerializer) -> _Children:  # type: ignore[type-arg]
    relation = model._meta.get_field(field.source or name)
    if not relation.one_to_many:
        raise Unsupported(name)
    child_model = relation.related_model
    child = field.child
    columns: list[tuple[str, str, Callable[[Any], Any]]] = []
    for sub_name, sub in child.fields.items():  # type: ignore[union-attr]
        if sub.write_only:
            continue
        source = sub.source or sub_name
        lookup = source.replace(".", "__")
        if isinstance(sub, PrimaryKeyRelatedField):
            columns.append((sub_name, f"{lookup}_id" if "." not in source else lookup,
                            lambda v: v))
        elif isinstance(sub, serializers.RelatedField | serializers.BaseSerializer):
            raise Unsupported(f"{name}.{sub_name}")
        else:
            columns.append((sub_name, lookup, _formatter(sub)))
    ordering = tuple(child_model._meta.ordering or ("pk",))  # type: ignore[union-attr]
    return _Children(name, child_model, relation.field.attname, tuple(columns),  # type: ignore[union-attr, arg-type]
                     ordering)


class PageReader:
    """Serializer output for a page of instances, without per-record queries."""

    def __init__(self, serializer_class: type[serializers.ModelSerializer],  # type: ignore[type-arg]
                 context: dict[str, Any]) -> None:
        serializer = serializer_class(context=context)
        model: type[models.Model] = serializer.Meta.model
        self.scalars: list[_Scalar] = []
        self.many: list[_Many] = []
        self.children: list[_Children] = []
        self.order: list[str] = []
        for name, field in serializer.fields.items():
            if field.write_only:
                continue
            self.order.append(name)
            if isinstance(field, serializers.ListSerializer):
                self.children.append(_children(model, name, field))
            elif isinstance(field, ManyRelatedField):
                self.many.append(_many(model, name, field))
            elif isinstance(field, serializers.SerializerMethodField | serializers.BaseSerializer):
                raise Unsupported(name)
            else:
                self.scalars.append(_scalar(model, name, field))

    def read(self, records: Iterable[models.Model]) -> list[Row]:
        records = list(records)
        ids = [r.pk for r in records]
        many_values = {m.name: self._many_values(m, ids) for m in self.many}
        child_values = {c.name: self._child_values(c, ids) for c in self.children}
        out: list[Row] = []
        for record in records:
            row: Row = {}
            for s in self.scalars:
                value = getattr(record, s.attname)
                row[s.name] = s.format(value)
            for m in self.many:
                row[m.name] = many_values[m.name].get(record.pk, [])
            for c in self.children:
                row[c.name] = child_values[c.name].get(record.pk, [])
            out.append({name: row[name] for name in self.order})
        return out

    @staticmethod
    def _many_values(m: _Many, ids: list[Any]) -> dict[Any, list[Any]]:
        grouped: dict[Any, list[Any]] = defaultdict(list)
        rows = m.through._default_manager.filter(**{f"{m.source_col}__in": ids}).order_by(
            *m.order).values_list(m.source_col, m.target_col)
        for owner_id, value in rows:
            grouped[owner_id].append(value)
        return grouped

    @staticmethod
    def _child_values(c: _Children, ids: list[Any]) -> dict[Any, list[Row]]:
        grouped: dict[Any, list[Row]] = defaultdict(list)
        lookups = [lookup for _name, lookup, _fmt in c.columns]
        rows = c.model._default_manager.filter(**{f"{c.fk_col}__in": ids}).order_by(
            *c.order).values_list(c.fk_col, *lookups)
        for owner_id, *values in rows:
            grouped[owner_id].append({name: fmt(v) for (name, _l, fmt), v in zip(
                c.columns, values, strict=True)})
        return grouped


_readers: dict[type[Any], PageReader | None] = {}


def page_reader(serializer_class: type[serializers.ModelSerializer]  # type: ignore[type-arg]
                ) -> PageReader | None:
    """The reader for ``serializer_class`` (compiled once), or None when it must be read the
    ordinary way."""
    if serializer_class not in _readers:
        try:
            # Reading needs no request: only writable related fields look at the user.
            _readers[serializer_class] = PageReader(serializer_class, {"request": None})
        except Unsupported:
            _readers[serializer_class] = None
    return _readers[serializer_class]


__all__ = ["PageReader", "Unsupported", "page_reader"]
