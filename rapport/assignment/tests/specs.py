"""Generic-suite spec of assignment rules."""

from __future__ import annotations

from rapport.assignment.choices import AssignmentMethod
from rapport.assignment.models import AssignmentRule
from rapport.assignment.tests.factories import rule_make
from rapport.framework.testing.specs import ConfigRecordSpec, register_spec
from rapport.identity.models import Team


def _team_id() -> int:
    return Team.objects.get_or_create(name="Inside sales")[0].pk


def _build() -> AssignmentRule:
    return rule_make(team_id=_team_id(), countries=["DE"], sla_minutes=60)


register_spec(
    ConfigRecordSpec(
        key="assignment-rules",
        build=_build,
        create_payload=lambda: {
            "name": "Germany, big companies",
            "method": AssignmentMethod.LEAST_LOADED,
            "team": _team_id(),
            "countries": ["DE", "AT"],
            "employee_count_min": 500,
        },
        update_payload=lambda: {"name": "Germany", "sla_minutes": 30},
    )
)
