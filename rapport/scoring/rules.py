"""Rule scores: which lead fields rules may test, checking a rule, and scoring a lead.

``lead_rule_score`` is pure: it reads a lead (a model instance or a dict of its field values)
and its behaviour counts, and touches no database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django_countries import countries
from django_countries.fields import CountryField

from rapport.framework.text import country_code
from rapport.leads.models import Lead
from rapport.scoring.choices import (
    OPERATORS_BY_KIND,
    VALUELESS,
    FieldKind,
    Operator,
    RuleKind,
)

# Counts of what a lead did, by (behaviour, days); days None: all time.
BehaviourCounts = Mapping[tuple[str, int | None], int]
NO_COUNTS: BehaviourCounts = {}


@dataclass(frozen=True)
class ScorableField:
    name: str
    label: str
    kind: FieldKind
    choices: tuple[tuple[str, str], ...] = ()


@cache
def scorable_fields() -> dict[str, ScorableField]:
    """The lead fields a rule may test: what people enter (text, choices, numbers); not the
    computed ones, relations, dates or the scores themselves."""
    result: dict[str, ScorableField] = {}
    for f in Lead._meta.concrete_fields:
        if not f.editable or f.is_relation or f.name in ("id", "custom_fields"):
            continue
        label = str(f.verbose_name)
        if isinstance(f, CountryField):
            choices = tuple((code, str(name)) for code, name in countries)
            result[f.name] = ScorableField(f.name, label, FieldKind.CHOICE, choices)
        elif f.choices:
            choices = tuple((str(k), str(v)) for k, v in f.flatchoices)
            result[f.name] = ScorableField(f.name, label, FieldKind.CHOICE, choices)
        elif isinstance(f, (models.IntegerField, models.FloatField, models.DecimalField)):
            result[f.name] = ScorableField(f.name, label, FieldKind.NUMBER)
        elif isinstance(f, (models.CharField, models.TextField)):
            result[f.name] = ScorableField(f.name, label, FieldKind.TEXT)
    return result


def field_choices() -> list[tuple[str, str]]:
    """``(name, label)`` of the scorable lead fields, by label."""
    return sorted(
        ((f.name, f.label.capitalize()) for f in scorable_fields().values()),
        key=lambda p: p[1],
    )


def _number(text: str) -> Decimal | None:
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _values(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _choice_code(field: ScorableField, text: str) -> str | None:
    """The stored code of a choice given by its code or its label, in any case."""
    wanted = text.strip().casefold()
    for code, label in field.choices:
        if wanted in (code.casefold(), label.casefold()):
            return code
    if field.name == "country":
        return country_code(text) or None
    return None


def rule_clean(
    *, kind: str, field: str, behaviour: str, operator: str, value: str, within_days: int | None
) -> dict[str, Any]:
    """The rule's condition checked and normalised (choice values as their codes, numbers
    as plain decimals, no value for "is set"/"is empty"); ValidationError naming the field."""
    errors: dict[str, ValidationError] = {}
    value = (value or "").strip()
    if kind == RuleKind.FIELD:
        spec = scorable_fields().get(field or "")
        if not field:
            errors["field"] = ValidationError(_("Choose the lead field to test."), code="required")
        elif spec is None:
            errors["field"] = ValidationError(
                _("“%(field)s” is not a lead field that rules can test.") % {"field": field},
                code="unknown_field",
            )
        field_kind = spec.kind if spec else None
        behaviour, within_days = "", None
    else:
        if not behaviour:
            errors["behaviour"] = ValidationError(
                _("Choose what the rule counts."), code="required"
            )
        field_kind, spec, field = FieldKind.NUMBER, None, ""
    if field_kind is not None and operator not in OPERATORS_BY_KIND[field_kind]:
        allowed = ", ".join(str(Operator(o).label) for o in OPERATORS_BY_KIND[field_kind])
        subject = spec.label if spec else _("a count")
        errors["operator"] = ValidationError(
            _("“%(operator)s” does not fit %(subject)s; use one of: %(allowed)s.")
            % {
                "operator": Operator(operator).label if operator in Operator else operator,
                "subject": subject,
                "allowed": allowed,
            },
            code="operator_mismatch",
        )
    elif field_kind is not None:
        try:
            value = _value_clean(field_kind, spec, operator, value)
        except ValidationError as exc:
            errors["value"] = exc
    if errors:
        raise ValidationError(errors)
    return {"field": field, "behaviour": behaviour, "value": value, "within_days": within_days}


def _value_clean(kind: str, spec: ScorableField | None, operator: str, value: str) -> str:
    if operator in VALUELESS:
        return ""
    if not value:
        raise ValidationError(_("Give the value to compare with."), code="required")
    if kind == FieldKind.NUMBER:
        parts = [value]
        numbers = [_number(p) for p in parts]
        if any(n is None for n in numbers):
            raise ValidationError(
                _("“%(value)s” is not a number; “%(operator)s” compares numbers.")
                % {"value": value, "operator": Operator(operator).label},
                code="not_a_number",
            )
        return ", ".join(str(n) for n in numbers)
    if kind == FieldKind.CHOICE and spec is not None:
        parts = _values(value) if operator == Operator.ONE_OF else [value]
        codes = [_choice_code(spec, p) for p in parts]
        unknown = [p for p, c in zip(parts, codes, strict=True) if c is None]
        if unknown:
            raise ValidationError(
                _("%(values)s: not a choice of %(field)s.")
                % {"values": ", ".join(f"“{u}”" for u in unknown), "field": spec.label},
                code="invalid_choice",
            )
        return ", ".join(c for c in codes if c)
    return ", ".join(_values(value)) if operator == Operator.ONE_OF else value


@dataclass(frozen=True)
class CompiledRule:
    """A rule ready to test many leads: its values parsed once."""

    name: str
    points: int
    kind: str
    field: str
    behaviour: str
    within_days: int | None
    operator: str
    text: str  # casefolded value (equals, contains)
    texts: frozenset[str]  # casefolded values (one of)
    number: Decimal | None

    @classmethod
    def of(cls, rule: Any) -> CompiledRule:
        value = str(rule.value or "").strip()
        return cls(
            name=rule.name,
            points=int(rule.points),
            kind=rule.kind,
            field=rule.field,
            behaviour=rule.behaviour,
            within_days=rule.within_days,
            operator=rule.operator,
            text=value.casefold(),
            texts=frozenset(v.casefold() for v in _values(value)),
            number=_number(value) if value else None,
        )

    def matches(self, value: Any) -> bool:
        op = self.operator
        if op == Operator.IS_SET:
            return value not in (None, "", 0) if self.kind == RuleKind.BEHAVIOUR else _set(value)
        if op == Operator.IS_EMPTY:
            return value in (None, "", 0) if self.kind == RuleKind.BEHAVIOUR else not _set(value)
        if op in (Operator.AT_LEAST, Operator.AT_MOST) or (
            op == Operator.EQUALS and self.number is not None and _is_number(value)
        ):
            if value in (None, "") or self.number is None:
                return False
            number = Decimal(str(value))
            if op == Operator.AT_LEAST:
                return number >= self.number
            if op == Operator.AT_MOST:
                return number <= self.number
            return number == self.number
        text = _text(value)
        if op == Operator.EQUALS:
            return text == self.text
        if op == Operator.ONE_OF:
            return text in self.texts
        if op == Operator.CONTAINS:
            return bool(text) and self.text in text
        return False


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _text(value: Any) -> str:
    if value is None:
        return ""
    return str(getattr(value, "code", value) or "").strip().casefold()


def _set(value: Any) -> bool:
    return _text(value) != ""


def compile_rules(rules: Iterable[Any]) -> list[CompiledRule]:
    return [CompiledRule.of(r) for r in rules]


@dataclass(frozen=True)
class RuleScore:
    score: int
    reasons: list[dict[str, Any]]


def lead_rule_score(
    *,
    lead: Lead | Mapping[str, Any],
    rules: Sequence[CompiledRule],
    counts: BehaviourCounts = NO_COUNTS,
) -> RuleScore:
    """The points of the ``rules`` that ``lead`` meets, and which ones: ``[{"rule": name,
    "points": 10}, ...]``, the largest (in absolute value) first."""
    get = lead.get if isinstance(lead, Mapping) else lambda name: getattr(lead, name, None)
    reasons: list[dict[str, Any]] = []
    total = 0
    for rule in rules:
        if rule.kind == RuleKind.BEHAVIOUR:
            value: Any = counts.get((rule.behaviour, rule.within_days), 0)
        else:
            value = get(rule.field)
        if rule.matches(value):
            total += rule.points
            reasons.append({"rule": rule.name, "points": rule.points})
    reasons.sort(key=lambda r: -abs(int(r["points"])))
    return RuleScore(total, reasons)


def behaviour_windows(rules: Iterable[CompiledRule]) -> set[tuple[str, int | None]]:
    """The (behaviour, days) counts the rules read."""
    return {(r.behaviour, r.within_days) for r in rules if r.kind == RuleKind.BEHAVIOUR}
