"""Writes of assignment: rule validation and the choice of a new lead's owner."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from rapport.accounts.choices import Industry, Source
from rapport.assignment.choices import AssignmentMethod
from rapport.assignment.models import AssignmentRule, RoundRobinPointer
from rapport.assignment.selectors import (
    open_lead_counts,
    rules_matching,
    team_member_ids,
)
from rapport.framework.actor import Actor
from rapport.framework.text import country_code
from rapport.leads.models import Lead


def _codes_clean(
    values: Any, allowed: set[str], field: str, errors: dict[str, ValidationError]
) -> list[str]:
    if not isinstance(values, list):
        errors[field] = ValidationError(_("Give a list of values."), code="invalid")
        return []
    unknown = [str(v) for v in values if str(v) not in allowed]
    if unknown:
        errors[field] = ValidationError(
            _("Unknown values: %(values)s.") % {"values": ", ".join(unknown)}, code="invalid_choice"
        )
    return [str(v) for v in values]


def rule_prepare(*, actor: Actor, record: AssignmentRule, **_kw: Any) -> None:
    """A rule names whom it assigns to (a team for round-robin and least loaded, a user for a
    specific user); its criteria are known values; the size range is not upside down."""
    errors: dict[str, ValidationError] = {}
    if record.method in (AssignmentMethod.ROUND_ROBIN, AssignmentMethod.LEAST_LOADED):
        if record.team_id is None:
            errors["team"] = ValidationError(
                _("Choose the team whose members receive the leads."), code="required"
            )
    elif record.method == AssignmentMethod.USER and record.user_id is None:
        errors["user"] = ValidationError(
            _("Choose the user who receives the leads."), code="required"
        )
    if isinstance(record.countries, list):
        record.countries = [country_code(str(c)) or str(c) for c in record.countries]
    record.countries = _codes_clean(
        record.countries, {str(code) for code, _name in countries}, "countries", errors
    )
    record.industries = _codes_clean(record.industries, set(Industry.values), "industries", errors)
    record.sources = _codes_clean(record.sources, set(Source.values), "sources", errors)
    if not isinstance(record.regions, list):
        errors["regions"] = ValidationError(_("Give a list of values."), code="invalid")
    else:
        record.regions = [str(r).strip() for r in record.regions if str(r).strip()]
    low, high = record.employee_count_min, record.employee_count_max
    if low is not None and high is not None and low > high:
        errors["employee_count_max"] = ValidationError(
            _("The most employees must not be less than the fewest."), code="min_above_max"
        )
    if errors:
        raise ValidationError(errors)


@dataclass(frozen=True)
class Assignment:
    """What the first matching rule decided for a new lead."""

    rule: AssignmentRule
    owner_id: int
    team_id: int | None
    response_due_at: dt.datetime | None


def _round_robin_next(rule: AssignmentRule, members: list[int]) -> int:
    """The member after the one who had the last lead under ``rule`` (by id, wrapping)."""
    RoundRobinPointer.objects.get_or_create(rule=rule)
    pointer = RoundRobinPointer.objects.select_for_update().get(rule=rule)
    last = pointer.last_user_id
    chosen = next((m for m in members if last is None or m > last), members[0])
    pointer.last_user_id = chosen
    pointer.save(update_fields=["last_user"])
    return chosen


def _least_loaded(members: list[int]) -> int:
    counts = open_lead_counts(members)
    return min(members, key=lambda uid: (counts[uid], uid))


def _owner_for(rule: AssignmentRule) -> int | None:
    if rule.method == AssignmentMethod.USER:
        return rule.user_id if rule.user is not None and rule.user.is_active else None
    if rule.team_id is None:
        return None
    members = team_member_ids(rule.team_id)
    if not members:
        return None
    if rule.method == AssignmentMethod.ROUND_ROBIN:
        return _round_robin_next(rule, members)
    return _least_loaded(members)


def assignment_choose(*, lead: Lead, now: dt.datetime | None = None) -> Assignment | None:
    """The owner, team and first-response due time the first matching active rule gives
    ``lead``; a rule that cannot name anyone (a team without active members, an inactive
    user) is passed over. None when no rule applies. Must run inside the write transaction
    (round-robin takes its turn under a row lock)."""
    now = now or timezone.now()
    for rule in rules_matching(lead):
        owner_id = _owner_for(rule)
        if owner_id is None:
            continue
        due = now + dt.timedelta(minutes=rule.sla_minutes) if rule.sla_minutes else None
        return Assignment(rule, owner_id, rule.team_id or lead.team_id, due)
    return None


def _sla_due(lead: Lead, now: dt.datetime) -> dt.datetime | None:
    rule = next(iter(rules_matching(lead)), None)
    if rule is None or not rule.sla_minutes:
        return None
    return now + dt.timedelta(minutes=rule.sla_minutes)


def lead_assign(*, actor: Actor, lead: Lead, owner_given: bool) -> Assignment | None:
    """Apply the assignment rules to a lead being created (called from ``lead_prepare``,
    so whatever the channel: form, API, import, web form).

    When the input named no owner, the first matching rule chooses owner and team; the
    first-response due time comes from the first matching rule either way (the prospect
    waits for an answer whoever chose the owner)."""
    now = lead.created_at or timezone.now()  # the time counts from the lead's creation
    if owner_given:
        lead.response_due_at = _sla_due(lead, now)
        return None
    assignment = assignment_choose(lead=lead, now=now)
    if assignment is None:
        return None
    lead.owner_id = assignment.owner_id
    lead.team_id = assignment.team_id
    lead.response_due_at = assignment.response_due_at
    return assignment
