"""The record-type registry: each record type is declared once, in its app's ``records.py``.

From a declaration the framework generates the REST viewset and router entry, the search
indexing and the admin; the generic test suites iterate over it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Model, Prefetch

if TYPE_CHECKING:
    from django_filters.rest_framework import FilterSet
    from rest_framework.serializers import Serializer


Hook = Callable[..., None]


@dataclass(frozen=True)
class ChildSpec:
    """Rows owned by a record and written with it (a contact's emails, an opportunity's
    contact roles). ``fk`` names the child's foreign key to the record."""

    name: str
    model: type[Model]
    fk: str
    fields: tuple[str, ...]
    clean: Callable[[list[dict[str, Any]]], list[dict[str, Any]]] | None = None
    # Like ``clean``, for rows that depend on the record (a quote line priced from the
    # quote's price book): called as record_clean(record, rows) before ``clean``; its
    # ValidationError names the row's fields ("lines.0.currency").
    record_clean: Callable[[Any, list[dict[str, Any]]], list[dict[str, Any]]] | None = None


@dataclass(frozen=True)
class RecordType:
    key: str
    model: type[Model]
    serializer: type[Serializer[Any]]
    filterset: type[FilterSet] | None = None
    search_fields: tuple[str, ...] = ()
    list_columns: tuple[str, ...] = ()
    ordering_fields: tuple[str, ...] = ()
    default_ordering: tuple[str, ...] = ("-id",)
    select_related: tuple[str, ...] = ()
    # Names, or Prefetch objects where the related rows need an order of their own.
    prefetch_related: tuple[str | Prefetch, ...] = ()
    children: tuple[ChildSpec, ...] = ()
    # Domain hooks, called by the framework services inside the write transaction:
    # prepare(actor=, record=, changed=) before saving; after_save(actor=, record=, created=,
    # before=) after the record and its children are saved.
    prepare: Callable[..., None] | None = None
    after_save: Callable[..., None] | None = None
    # before_delete(actor=, record=) may refuse a deletion with a ValidationError (a stage
    # that opportunities use), whatever the channel.
    before_delete: Callable[..., None] | None = None
    # after_delete(actor=, record=, before=) once the record is deleted, in the same
    # transaction (``record`` keeps its field values; ``before`` is its snapshot).
    after_delete: Callable[..., None] | None = None
    # Data-quality checks (rapport.framework.quality.QualityCheck), counted by the
    # data-quality endpoint and usable as the ?quality= list filter.
    quality_checks: tuple[Any, ...] = ()
    is_config: bool = False
    # Where the web UI lists it: one of rapport.framework.ui.nav.AREAS; config types go to
    # Settings unless they say otherwise.
    area: str = ""
    extra_actions: tuple[Any, ...] = field(default_factory=tuple)
    # merge_related(actor=, survivor=, other=, moves=) moves what refers to ``other`` onto
    # ``survivor`` when two records are merged (rapport.framework.merge); None: not mergeable.
    merge_related: Callable[..., None] | None = None
    # Sections of the record page as (title, field names); empty: the generic grouping of
    # rapport.framework.ui.sections (main fields, address, description, system).
    # Titles may be lazy translations.
    sections: tuple[tuple[Any, tuple[str, ...]], ...] = ()

    @property
    def nav_area(self) -> str:
        return self.area or ("settings" if self.is_config else "sales")

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def label_plural(self) -> str:
        return str(self.model._meta.verbose_name_plural)


_registry: dict[str, RecordType] = {}
_by_label: dict[str, str] = {}


def register(record_type: RecordType) -> RecordType:
    if record_type.key in _registry and _registry[record_type.key] is not record_type:
        raise ValueError(f"record type {record_type.key!r} is declared twice")
    _registry[record_type.key] = record_type
    _by_label[record_type.model._meta.label_lower] = record_type.key
    return record_type


def record_types() -> list[RecordType]:
    return list(_registry.values())


def get_record_type(key: str) -> RecordType:
    return _registry[key]


def record_type_key(model: type[Model]) -> str:
    """The registry key of a model; the model's label when it is not a declared record type."""
    label = model._meta.label_lower
    return _by_label.get(label, label)


def record_type_for(model: type[Model]) -> RecordType | None:
    key = _by_label.get(model._meta.label_lower)
    return _registry[key] if key else None
