"""Assignment rules for tests."""

from __future__ import annotations

import itertools
from typing import Any

from rapport.assignment.choices import AssignmentMethod
from rapport.assignment.models import AssignmentRule

_numbers = itertools.count(1)


def rule_make(**overrides: Any) -> AssignmentRule:
    """A saved rule; round-robin unless ``method`` says otherwise."""
    n = next(_numbers)
    values: dict[str, Any] = {
        "name": f"Rule {n}",
        "position": n,
        "method": AssignmentMethod.ROUND_ROBIN,
    }
    values.update(overrides)
    return AssignmentRule.objects.create(**values)
