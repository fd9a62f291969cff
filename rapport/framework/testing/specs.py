"""Test specs: what the generic suites need to know about each record type.

Every record type declared in a ``records.py`` needs a spec, contributed by its app from
``rapport/<app>/tests/specs.py`` with ``register_spec``. The generic suites
(``tests/test_record_access*.py``, ``tests/test_changelog.py``, ``tests/test_query_counts.py``)
iterate over the record-type registry, not over the specs, so a record type without a spec
fails loudly instead of going untested.

Owned record types (built on ``RecordModel``) describe how to build an instance for an owner,
a valid create payload for a user, a PATCH payload, a field filter for object-permission
constraints and the references to other records that must be visible to the writer.
Configuration record types describe how to build an instance and two payloads.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import Model

from rapport.framework.registry import get_record_type, record_types


@dataclass(frozen=True)
class FieldFilter:
    """An object-permission constraint over one of the record type's own fields, with the
    build overrides of a record that matches it and of one that does not."""

    constraint: dict[str, Any]
    matching: dict[str, Any]
    other: dict[str, Any]


@dataclass(frozen=True)
class ReferenceCase:
    """A field pointing at another record. ``payload(target_pk)`` is the request-body fragment
    that points at a record of type ``target``; ``error_field`` is the field the 400 names."""

    name: str
    target: str
    payload: Callable[[Any], dict[str, Any]]
    error_field: str


@dataclass(frozen=True)
class OwnedRecordSpec:
    """How the generic suites exercise an owned record type (one with owner and team).

    ``build(owner=, team=, **overrides)`` saves an instance (with its tags, child rows and
    related rows, so that list endpoints show N+1 queries); ``create_payload(user)`` returns a
    valid POST body whose references point at records ``user`` owns; ``update_payload()``
    returns a PATCH body of plain fields that differ from what ``build`` saves.
    """

    key: str
    build: Callable[..., Model]
    create_payload: Callable[[Any], dict[str, Any]]
    update_payload: Callable[[], dict[str, Any]]
    field_filter: FieldFilter
    references: tuple[ReferenceCase, ...] = ()


@dataclass(frozen=True)
class ConfigRecordSpec:
    """How the generic suites exercise a configuration record type (admin-written)."""

    key: str
    build: Callable[[], Model]
    create_payload: Callable[[], dict[str, Any]]
    update_payload: Callable[[], dict[str, Any]]


Spec = OwnedRecordSpec | ConfigRecordSpec


class MissingSpecError(LookupError):
    """A declared record type has no test spec."""


_specs: dict[str, Spec] = {}
_discovered = False


def register_spec(spec: Spec) -> Spec:
    if spec.key in _specs and _specs[spec.key] is not spec:
        raise ValueError(f"test spec for {spec.key!r} is declared twice")
    _specs[spec.key] = spec
    return spec


def specs_discover() -> None:
    """Import ``<app>.tests.specs`` of every installed Rapport app (once)."""
    global _discovered
    if _discovered:
        return
    for app in apps.get_app_configs():
        if not app.name.startswith("rapport."):
            continue
        if importlib.util.find_spec(f"{app.name}.tests") is None:
            continue
        if importlib.util.find_spec(f"{app.name}.tests.specs") is not None:
            importlib.import_module(f"{app.name}.tests.specs")
    _discovered = True


def spec_for(key: str) -> Spec:
    """The spec of record type ``key``; MissingSpecError names the file to add."""
    specs_discover()
    record_type = get_record_type(key)
    spec = _specs.get(key)
    if spec is None:
        app = record_type.model._meta.app_config
        where = app.name if app is not None else "its app"
        raise MissingSpecError(
            f"record type {key!r} has no test spec: add register_spec(...) to "
            f"{where}.tests.specs (see rapport/framework/testing/specs.py)"
        )
    expected = ConfigRecordSpec if record_type.is_config else OwnedRecordSpec
    if not isinstance(spec, expected):
        raise MissingSpecError(f"record type {key!r} needs a {expected.__name__}")
    return spec


def owned_spec(key: str) -> OwnedRecordSpec:
    spec = spec_for(key)
    assert isinstance(spec, OwnedRecordSpec)
    return spec


def config_spec(key: str) -> ConfigRecordSpec:
    spec = spec_for(key)
    assert isinstance(spec, ConfigRecordSpec)
    return spec


def registered_specs() -> dict[str, Spec]:
    specs_discover()
    return dict(_specs)


def owned_keys() -> list[str]:
    """Registry keys of every owned record type (for parametrization)."""
    return [rt.key for rt in record_types() if not rt.is_config]


def config_keys() -> list[str]:
    """Registry keys of every configuration record type (for parametrization)."""
    return [rt.key for rt in record_types() if rt.is_config]


def all_keys() -> list[str]:
    return [rt.key for rt in record_types()]


def reference_cases() -> list[tuple[str, str]]:
    """(record type, reference case name) pairs over every owned record type that has a spec;
    a missing spec is reported by the completeness test."""
    cases: list[tuple[str, str]] = []
    for key in owned_keys():
        try:
            cases.extend((key, case.name) for case in owned_spec(key).references)
        except MissingSpecError:
            continue
    return cases


def reference_case(key: str, name: str) -> ReferenceCase:
    return next(c for c in owned_spec(key).references if c.name == name)
