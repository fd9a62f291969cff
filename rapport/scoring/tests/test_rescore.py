"""Scoring on save and in bulk: what is written, what it costs, what is not logged."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType

from conftest import Personas, client_for
from rapport.core.models import ChangeLogEntry
from rapport.framework.actor import Actor
from rapport.framework.choices import Channel
from rapport.framework.exceptions import RecordPermissionDenied
from rapport.framework.testing.factories import ActivityFactory, LeadFactory
from rapport.leads.models import Lead
from rapport.scoring.choices import Operator, RuleKind
from rapport.scoring.services import leads_rescore
from rapport.scoring.tests.factories import ScoringRuleFactory

pytestmark = pytest.mark.django_db


def _rules() -> None:
    ScoringRuleFactory(name="Software", field="industry", value="software", points=10)
    ScoringRuleFactory(
        name="Big", field="employee_count", operator=Operator.AT_LEAST, value="500", points=5
    )
    ScoringRuleFactory(
        name="Called",
        kind=RuleKind.BEHAVIOUR,
        field="",
        behaviour="call",
        within_days=30,
        operator=Operator.IS_SET,
        value="",
        points=7,
    )
    ScoringRuleFactory(name="Inactive", field="industry", value="software", points=99, active=False)


def test_a_lead_is_scored_when_saved_through_any_way_in(personas: Personas) -> None:
    # given rules
    _rules()
    # when a lead is created through the API
    response = client_for(personas.owner).post(
        "/api/leads/",
        {"family_name": "Lovelace", "industry": "software", "employee_count": 800},
        format="json",
    )
    # then it has its rule score and reasons; no learned score without a model
    assert response.status_code == 201
    lead = Lead.objects.get(pk=response.json()["id"])
    assert lead.rule_score == 15
    assert lead.score_reasons == {
        "rule": [{"rule": "Software", "points": 10}, {"rule": "Big", "points": 5}],
        "learned": [],
    }
    assert lead.learned_score is None
    assert lead.scored_at is not None
    # and when it is changed, it is scored again, and the change log holds the change made,
    # not the derived scores
    response = client_for(personas.owner).patch(
        f"/api/leads/{lead.pk}/", {"industry": "retail"}, format="json"
    )
    assert response.status_code == 200
    lead.refresh_from_db()
    assert lead.rule_score == 5
    entry = ChangeLogEntry.objects.filter(object_id=str(lead.pk)).order_by("-id").first()
    assert entry is not None
    assert entry.before == {"industry": "software"}
    assert entry.after == {"industry": "retail"}


def _leads_with_calls(personas: Personas, n: int) -> list[Lead]:
    lead_type = ContentType.objects.get_for_model(Lead)
    leads = []
    for i in range(n):
        lead = LeadFactory(
            owner=personas.owner,
            industry="software" if i % 2 else "retail",
            employee_count=1000 if i % 3 == 0 else 10,
        )
        if i % 5 == 0:
            ActivityFactory(
                owner=personas.owner, kind="call", related_type=lead_type, related_id=lead.pk
            )
        leads.append(lead)
    return leads


def _expected(lead: Lead, called: bool) -> int:
    return (
        (10 if lead.industry == "software" else 0)
        + (5 if (lead.employee_count or 0) >= 500 else 0)
        + (7 if called else 0)
    )


def test_rescore_writes_every_lead_in_a_bounded_number_of_queries(
    personas: Personas, django_assert_num_queries: Any
) -> None:
    # given rules and 10 leads, some called
    _rules()
    leads = _leads_with_calls(personas, 10)
    ContentType.objects.get_for_model(Lead)  # cached for the life of the process
    changes_before = ChangeLogEntry.objects.count()
    actor = Actor.system()
    # when they are rescored: model, rules, then per batch the leads, their activity counts and
    # one update in a savepoint (3 queries)
    with django_assert_num_queries(7):
        assert leads_rescore(actor=actor) == 10
    # then every score is right
    for i, lead in enumerate(leads):
        lead.refresh_from_db()
        assert lead.rule_score == _expected(lead, i % 5 == 0)
        assert lead.scored_at is not None
    # and 100 leads cost the same
    leads += _leads_with_calls(personas, 90)
    with django_assert_num_queries(7):
        assert leads_rescore(actor=actor) == 100
    # and in batches of 25, 5 queries per batch, and one to find that there is no fifth
    with django_assert_num_queries(2 + 5 * 4 + 1):
        assert leads_rescore(actor=actor, batch_size=25) == 100
    # and the change log holds nothing of it: scores are derived
    assert ChangeLogEntry.objects.count() == changes_before


def test_rescore_of_some_leads_leaves_the_others(personas: Personas) -> None:
    _rules()
    first, second = (
        LeadFactory(owner=personas.owner, industry="software"),
        LeadFactory(owner=personas.owner, industry="software"),
    )
    assert leads_rescore(actor=Actor.system(), lead_ids=[first.pk]) == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.rule_score, second.rule_score) == (10, None)


def test_only_administrators_and_jobs_rescore(personas: Personas) -> None:
    # given a scored lead and a rule changed since
    _rules()
    lead = LeadFactory(owner=personas.owner, industry="software")
    leads_rescore(actor=Actor.system())
    ScoringRuleFactory(name="More", field="industry", value="software", points=1)
    # when a sales rep asks for a rescore, it is refused and nothing changes
    with pytest.raises(RecordPermissionDenied):
        leads_rescore(actor=Actor(user=personas.owner, channel=Channel.API))
    lead.refresh_from_db()
    assert lead.rule_score == 10
    # and an administrator may
    assert leads_rescore(actor=Actor(user=personas.admin, channel=Channel.API)) == 1
    lead.refresh_from_db()
    assert lead.rule_score == 11


def test_changing_a_rule_rescores_every_lead_once_committed(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    # given a lead scored by one rule
    _rules()
    lead = LeadFactory(owner=personas.owner, industry="software")
    leads_rescore(actor=Actor.system())
    rule = ScoringRuleFactory(name="Software+", field="industry", value="software", points=1)
    leads_rescore(actor=Actor.system())
    lead.refresh_from_db()
    assert lead.rule_score == 11
    admin = client_for(personas.admin)
    # when an administrator changes the rule's points, the lead is rescored after the commit
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.patch(f"/api/scoring-rules/{rule.pk}/", {"points": 4}, format="json")
    assert response.status_code == 200
    lead.refresh_from_db()
    assert lead.rule_score == 14
    # and when they delete it
    with django_capture_on_commit_callbacks(execute=True):
        assert admin.delete(f"/api/scoring-rules/{rule.pk}/").status_code == 204
    lead.refresh_from_db()
    assert lead.rule_score == 10


def test_logging_an_activity_scores_its_lead_at_once(personas: Personas) -> None:
    # given rules, one of them counting calls in the last 30 days, and a scored lead
    _rules()
    response = client_for(personas.owner).post(
        "/api/leads/", {"family_name": "Hopper", "industry": "software"}, format="json"
    )
    assert response.status_code == 201
    lead = Lead.objects.get(pk=response.json()["id"])
    assert lead.rule_score == 10
    logged = ChangeLogEntry.objects.count()
    # when a call with the lead is logged through the API (a task first, which the rule
    # does not count)
    for kind in ("task", "call"):
        response = client_for(personas.owner).post(
            "/api/activities/",
            {
                "kind": kind,
                "subject": f"A {kind}",
                "related_type": "leads",
                "related_id": lead.pk,
            },
            format="json",
        )
        assert response.status_code == 201, response.content
        lead.refresh_from_db()
        # then the lead's score counts it straight away, not at the next save or night
        assert lead.rule_score == (10 if kind == "task" else 17)
    assert {"rule": "Called", "points": 7} in lead.score_reasons["rule"]
    # and the scores are not in the change log (only the two activities are)
    assert ChangeLogEntry.objects.count() == logged + 2


def test_moving_or_deleting_an_activity_scores_its_leads_again(personas: Personas) -> None:
    # given rules counting calls, two software leads and a call logged with the first
    _rules()
    owner = client_for(personas.owner)
    first, second = (
        owner.post("/api/leads/", {"family_name": name, "industry": "software"}, format="json")
        for name in ("Hopper", "Lovelace")
    )
    assert first.status_code == second.status_code == 201
    one, two = Lead.objects.get(pk=first.json()["id"]), Lead.objects.get(pk=second.json()["id"])
    call = owner.post(
        "/api/activities/",
        {"kind": "call", "subject": "A call", "related_type": "leads", "related_id": one.pk},
        format="json",
    )
    assert call.status_code == 201, call.content
    one.refresh_from_db()
    assert one.rule_score == 17
    # when the call is moved to the second lead
    moved = owner.patch(
        f"/api/activities/{call.json()['id']}/", {"related_id": two.pk}, format="json"
    )
    assert moved.status_code == 200, moved.content
    # then both leads are scored again: the first lost the call, the second has it
    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.rule_score, two.rule_score) == (10, 17)
    # and when the call is deleted, the second lead loses it too
    assert owner.delete(f"/api/activities/{call.json()['id']}/").status_code == 204
    two.refresh_from_db()
    assert two.rule_score == 10
    assert {"rule": "Called", "points": 7} not in two.score_reasons["rule"]
