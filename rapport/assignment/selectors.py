"""Reads of assignment: which rule matches a lead, who is a team's active members, how many
open leads each of them holds."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from rapport.assignment.models import AssignmentRule
from rapport.identity.models import User
from rapport.leads.choices import LeadStatus
from rapport.leads.models import Lead

# Leads that still need their owner's work: they count towards the owner's load.
OPEN_STATUSES = (LeadStatus.NEW, LeadStatus.WORKING, LeadStatus.NURTURING)


def rule_matches(rule: AssignmentRule, lead: Lead) -> bool:
    """Whether every criterion of ``rule`` holds for ``lead`` (an empty one holds always)."""
    if rule.countries and str(lead.country or "") not in rule.countries:
        return False
    regions = {str(r).strip().casefold() for r in rule.regions}
    if regions and lead.region.strip().casefold() not in regions:
        return False
    if rule.industries and lead.industry not in rule.industries:
        return False
    if rule.sources and lead.source not in rule.sources:
        return False
    size = lead.employee_count
    low, high = rule.employee_count_min, rule.employee_count_max
    if (low is not None or high is not None) and size is None:
        return False  # a size range says nothing about a lead of unknown size
    too_small = low is not None and size is not None and size < low
    too_big = high is not None and size is not None and size > high
    return not (too_small or too_big)


def rules_matching(lead: Lead) -> list[AssignmentRule]:
    """The active rules whose criteria hold for ``lead``, in evaluation order."""
    rules = AssignmentRule.objects.filter(active=True).select_related("team", "user")
    return [rule for rule in rules.order_by("position", "id") if rule_matches(rule, lead)]


def rules_exist() -> bool:
    return AssignmentRule.objects.filter(active=True).exists()


def team_member_ids(team_id: int) -> list[int]:
    """The active members of a team, by id."""
    return sorted(
        User.objects.filter(teams__id=team_id, is_active=True).values_list("id", flat=True)
    )


def open_lead_counts(user_ids: list[int]) -> dict[int, int]:
    """Open leads owned by each of ``user_ids``: one grouped query over the (owner, status)
    index."""
    rows: Any = (
        Lead.objects.filter(owner_id__in=user_ids, status__in=OPEN_STATUSES)
        .values("owner_id")
        .annotate(n=Count("id"))
        .values_list("owner_id", "n")
    )
    counts = {uid: 0 for uid in user_ids}
    counts.update(dict(rows))
    return counts
