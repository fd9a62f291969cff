"""Generic-suite spec of the scoring rules."""

from __future__ import annotations

from rapport.framework.testing.specs import ConfigRecordSpec, register_spec
from rapport.scoring.models import ScoringRule
from rapport.scoring.tests.factories import ScoringRuleFactory


def scoring_rule_build() -> ScoringRule:
    rule: ScoringRule = ScoringRuleFactory()
    return rule


register_spec(
    ConfigRecordSpec(
        key="scoring-rules",
        build=scoring_rule_build,
        create_payload=lambda: {
            "name": "Large company",
            "kind": "field",
            "field": "employee_count",
            "operator": "at_least",
            "value": "500",
            "points": 15,
        },
        update_payload=lambda: {"points": -5, "active": False},
    )
)
