"""Factories of lead scoring: rules, and decided leads with a real signal to learn."""

from __future__ import annotations

import random
from typing import Any

import factory

from rapport.framework.testing.factories import LeadFactory
from rapport.leads.choices import DisqualifiedReason, LeadStatus
from rapport.leads.models import Lead
from rapport.scoring.choices import Operator, RuleKind
from rapport.scoring.models import ScoringRule


class ScoringRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScoringRule

    name = factory.Sequence(lambda n: f"Rule {n}")
    kind = RuleKind.FIELD
    field = "industry"
    operator = Operator.EQUALS
    value = "software"
    points = 10


INDUSTRIES = ("software", "retail", "finance", "education")
TITLES = ("Director of IT", "VP Sales", "技术总监", "Engineer", "Intern", "Analyst")


def decided_leads_build(n: int, *, owner: Any, seed: int = 7) -> list[Lead]:
    """``n`` decided leads where software companies and senior titles qualify far more often:
    a signal the model must find."""
    rng = random.Random(seed)
    leads = []
    for _ in range(n):
        industry = rng.choice(INDUSTRIES)
        title = rng.choice(TITLES)
        senior = title in ("Director of IT", "VP Sales", "技术总监")
        chance = 0.1 + (0.45 if industry == "software" else 0) + (0.35 if senior else 0)
        qualified = rng.random() < chance
        leads.append(
            LeadFactory(
                owner=owner,
                industry=industry,
                job_title=title,
                source=rng.choice(("web", "event", "referral")),
                status=LeadStatus.QUALIFIED if qualified else LeadStatus.DISQUALIFIED,
                disqualified_reason="" if qualified else DisqualifiedReason.NO_NEED,
            )
        )
    return leads
