"""Rule scores: each operator, behaviour rules, and rules refused with a clear reason."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from conftest import Personas, client_for
from rapport.framework.testing.factories import ActivityFactory, LeadFactory, UserFactory
from rapport.leads.models import Lead
from rapport.scoring.choices import Operator, RuleKind
from rapport.scoring.models import ScoringRule
from rapport.scoring.rules import CompiledRule, lead_rule_score
from rapport.scoring.selectors import behaviour_counts
from rapport.scoring.services import lead_score_refresh
from rapport.scoring.tests.factories import ScoringRuleFactory
from rapport.webforms.choices import SubmissionStatus
from rapport.webforms.models import WebForm, WebFormSubmission


def rule(field: str, operator: str, value: str = "", points: int = 10, **kw: Any) -> CompiledRule:
    return CompiledRule.of(
        ScoringRule(
            name=kw.pop("name", f"{field} {operator} {value}"),
            kind=kw.pop("kind", RuleKind.FIELD),
            field=field,
            operator=operator,
            value=value,
            points=points,
            **kw,
        )
    )


LEAD = {
    "industry": "software",
    "job_title": "Head of Engineering",
    "employee_count": 250,
    "country": "DE",
    "email": "ada@example.com",
    "phone": "",
}


@pytest.mark.parametrize(
    ("field", "operator", "value", "expected"),
    [
        ("industry", Operator.EQUALS, "software", True),
        ("industry", Operator.EQUALS, "Software", True),  # case does not matter
        ("industry", Operator.EQUALS, "retail", False),
        ("industry", Operator.ONE_OF, "retail, software", True),
        ("industry", Operator.ONE_OF, "retail, finance", False),
        ("job_title", Operator.CONTAINS, "head", True),
        ("job_title", Operator.CONTAINS, "chief", False),
        ("email", Operator.IS_SET, "", True),
        ("phone", Operator.IS_SET, "", False),
        ("phone", Operator.IS_EMPTY, "", True),
        ("email", Operator.IS_EMPTY, "", False),
        ("employee_count", Operator.AT_LEAST, "250", True),
        ("employee_count", Operator.AT_LEAST, "251", False),
        ("employee_count", Operator.AT_MOST, "250", True),
        ("employee_count", Operator.AT_MOST, "249.5", False),
        ("employee_count", Operator.EQUALS, "250", True),
        ("country", Operator.EQUALS, "de", True),
    ],
)
def test_each_operator(field: str, operator: str, value: str, expected: bool) -> None:
    # given one rule worth 10 points
    rules = [rule(field, operator, value)]
    # when the lead is scored
    result = lead_rule_score(lead=LEAD, rules=rules)
    # then it earns the points exactly when the condition holds
    assert result.score == (10 if expected else 0)
    assert result.reasons == ([{"rule": rules[0].name, "points": 10}] if expected else [])


def test_an_empty_number_meets_no_comparison() -> None:
    rules = [rule("employee_count", Operator.AT_MOST, "10")]
    assert lead_rule_score(lead={**LEAD, "employee_count": None}, rules=rules).score == 0


def test_points_add_up_negative_ones_too_and_reasons_come_largest_first() -> None:
    # given three rules, one with negative points, one that does not apply
    rules = [
        rule("industry", Operator.EQUALS, "software", 10, name="Software"),
        rule("phone", Operator.IS_EMPTY, "", -25, name="No phone"),
        rule("country", Operator.EQUALS, "FR", 5, name="France"),
    ]
    # when
    result = lead_rule_score(lead=LEAD, rules=rules)
    # then
    assert result.score == -15
    assert result.reasons == [
        {"rule": "No phone", "points": -25},
        {"rule": "Software", "points": 10},
    ]


def test_a_model_instance_is_scored_like_its_values() -> None:
    lead = Lead(industry="software", country="DE", employee_count=250, job_title="CTO")
    rules = [rule("country", Operator.ONE_OF, "DE, AT"), rule("job_title", Operator.IS_SET)]
    assert lead_rule_score(lead=lead, rules=rules).score == 20


def test_behaviour_rules_count_within_their_window() -> None:
    # given: two calls in the last 30 days, one web-form submission ever
    counts = {("call", 30): 2, ("webform", None): 1}
    rules = [
        rule("", Operator.AT_LEAST, "2", 15, kind=RuleKind.BEHAVIOUR, behaviour="call",
             within_days=30, name="Two calls"),
        rule("", Operator.AT_LEAST, "3", 50, kind=RuleKind.BEHAVIOUR, behaviour="call",
             within_days=30, name="Three calls"),
        rule("", Operator.IS_SET, "", 5, kind=RuleKind.BEHAVIOUR, behaviour="webform",
             name="Filled a form"),
        rule("", Operator.IS_EMPTY, "", -10, kind=RuleKind.BEHAVIOUR, behaviour="meeting",
             within_days=90, name="No meeting"),
    ]  # fmt: skip
    # when
    result = lead_rule_score(lead=LEAD, rules=rules, counts=counts)
    # then
    assert result.score == 15 + 5 - 10
    assert [r["rule"] for r in result.reasons] == ["Two calls", "No meeting", "Filled a form"]


@pytest.mark.django_db
def test_behaviour_counts_read_activities_in_the_window_and_web_form_submissions(
    personas: Personas,
) -> None:
    # given a lead with 2 recent calls, 1 old call, 1 meeting, and a web-form submission;
    # another lead's call does not count
    now = timezone.now()
    lead, other = LeadFactory(owner=personas.owner), LeadFactory(owner=personas.owner)
    lead_type = ContentType.objects.get_for_model(Lead)
    for days_ago, kind, target in [(1, "call", lead), (20, "call", lead), (60, "call", lead),
                                   (2, "meeting", lead), (1, "call", other)]:  # fmt: skip
        ActivityFactory(
            owner=personas.owner,
            kind=kind,
            related_type=lead_type,
            related_id=target.pk,
            created_at=now - dt.timedelta(days=days_ago),
        )
    form = WebForm.objects.create(name="Demo", slug="demo", lead_owner=personas.owner)
    WebFormSubmission.objects.create(form=form, status=SubmissionStatus.ACCEPTED, lead=lead)
    windows = {("call", 30), ("call", None), ("meeting", 30), ("webform", None)}
    # when
    counts = behaviour_counts([lead.pk, other.pk], windows, now=now)
    # then
    assert counts[lead.pk] == {
        ("call", 30): 2,
        ("call", None): 3,
        ("meeting", 30): 1,
        ("meeting", None): 1,
        ("webform", None): 1,
    }
    assert counts[other.pk] == {("call", 30): 1, ("call", None): 1}
    # and a behaviour rule scores the saved lead from them
    ScoringRuleFactory(
        name="Two calls this month",
        kind=RuleKind.BEHAVIOUR,
        field="",
        behaviour="call",
        within_days=30,
        operator=Operator.AT_LEAST,
        value="2",
        points=20,
    )
    lead_score_refresh(lead=lead, now=now)
    assert lead.rule_score == 20
    assert lead.score_reasons["rule"] == [{"rule": "Two calls this month", "points": 20}]


# Bad rule input: a clear message naming the field, nothing written, never a 500.

BASE = {"name": "Bad", "kind": "field", "points": 10}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field", "code", "message"),
    [
        (
            {"field": "shoe_size", "operator": "equals", "value": "42"},
            "field",
            "invalid_choice",
            "“shoe_size” is not a lead field that rules can test.",
        ),
        (
            {"field": "employee_count", "operator": "contains", "value": "5"},
            "operator",
            "operator_mismatch",
            "“contains” does not fit employees; use one of: equals, is at least, is at most, "
            "is set, is empty.",
        ),
        (
            {"field": "employee_count", "operator": "at_least", "value": "many"},
            "value",
            "not_a_number",
            "“many” is not a number; “is at least” compares numbers.",
        ),
        (
            {"field": "industry", "operator": "one_of", "value": "software, spaceships"},
            "value",
            "invalid_choice",
            "“spaceships”: not a choice of industry.",
        ),
        (
            {"field": "industry", "operator": "equals", "value": ""},
            "value",
            "required",
            "Give the value to compare with.",
        ),
        (
            {"kind": "behaviour", "behaviour": "call", "operator": "contains", "value": "x"},
            "operator",
            "operator_mismatch",
            "“contains” does not fit a count; use one of: equals, is at least, is at most, "
            "is set, is empty.",
        ),
    ],
)
def test_a_bad_rule_is_refused_naming_the_field(
    personas: Personas, payload: dict[str, Any], field: str, code: str, message: str
) -> None:
    # given an administrator
    client = client_for(personas.admin)
    # when they send a rule that does not fit
    response = client.post("/api/scoring-rules/", {**BASE, **payload}, format="json")
    # then it is refused with the reason, on the field, and nothing is written
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["field"], e["code"], e["message"]) for e in errors] == [(field, code, message)]
    assert not ScoringRule.objects.exists()


@pytest.mark.django_db
def test_a_rule_is_normalised_when_saved(personas: Personas) -> None:
    # given an administrator writing choices by their labels and a value for "is set"
    client = client_for(personas.admin)
    # when
    response = client.post(
        "/api/scoring-rules/bulk/",
        [
            {**BASE, "name": "A", "field": "industry", "operator": "one_of",
             "value": "Software,  Finance"},
            {**BASE, "name": "B", "field": "email", "operator": "is_set", "value": "ignored"},
            {**BASE, "name": "C", "field": "country", "operator": "equals", "value": "Germany"},
        ],
        format="json",
    )  # fmt: skip
    # then the stored values are the codes, and no value where none is compared
    assert response.status_code == 201, response.json()
    assert list(ScoringRule.objects.order_by("name").values_list("value", flat=True)) == [
        "software, finance",
        "",
        "DE",
    ]


@pytest.mark.django_db
def test_only_administrators_write_rules(personas: Personas) -> None:
    # when a sales rep tries to add a rule
    response = client_for(personas.owner).post(
        "/api/scoring-rules/",
        {**BASE, "field": "industry", "operator": "equals", "value": "software"},
        format="json",
    )
    # then it is refused and nothing is written
    assert response.status_code == 403
    assert not ScoringRule.objects.exists()
    # and an inactive user's rule list is not even readable
    assert client_for(UserFactory(is_active=False)).get("/api/scoring-rules/").status_code == 403
