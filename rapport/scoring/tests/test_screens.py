"""The lead page's scores panel and the administrators' model screen."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from conftest import Personas
from rapport.framework.testing.factories import AccountFactory, LeadFactory
from rapport.scoring.models import LeadScoringModel, ScoringRule
from rapport.scoring.tests.factories import decided_leads_build

pytestmark = pytest.mark.django_db


def signed_in(user_name: str) -> Client:
    client = Client()
    assert client.post("/login/", {"username": user_name, "password": "pw"}).status_code == 302
    return client


def _panel(body: str) -> str:
    match = re.search(r'<section class="record-section scores-panel".*?</section>', body, re.S)
    assert match, "no scores panel"
    return match.group(0)


def test_the_lead_page_shows_both_scores_with_their_reasons(personas: Personas) -> None:
    # given a scored lead
    lead = LeadFactory(
        owner=personas.owner,
        rule_score=25,
        learned_score=0.734,
        scored_at=timezone.now(),
        score_reasons={
            "rule": [
                {"rule": "Software company", "points": 30},
                {"rule": "No phone", "points": -5},
            ],
            "learned": [
                {"feature": "industry", "value": "software", "weight": 0.81},
                {"feature": "seniority", "value": "director", "weight": 0.52},
                {"feature": "has_phone", "value": "0", "weight": -0.2},
            ],
        },
    )
    # when its owner opens it
    body = signed_in("owner").get(f"/leads/{lead.pk}/").content.decode()
    # then the scores panel shows the rule score and the learned score side by side
    panel = _panel(body)
    rule = re.search(r'id="rule-score".*?</div>', panel, re.S)
    learned = re.search(r'id="learned-score".*?</div>', panel, re.S)
    assert rule and learned
    assert '<p class="score-value">25</p>' in rule.group(0)
    assert re.findall(r"<li>(.*?)</li>", rule.group(0)) == [
        "Software company <strong>+30</strong>",
        "No phone <strong>-5</strong>",
    ]
    assert '<p class="score-value">73 %</p>' in learned.group(0)
    assert re.findall(r"<li>(.*?)</li>", learned.group(0)) == [
        "Industry: Software +0.8",
        "Seniority: Director or head +0.5",
        "Phone: missing -0.2",
    ]


def test_an_unscored_lead_says_so_and_other_records_have_no_panel(personas: Personas) -> None:
    lead = LeadFactory(owner=personas.owner)
    client = signed_in("owner")
    panel = _panel(client.get(f"/leads/{lead.pk}/").content.decode())
    assert (
        "No learned score yet: it comes once the model is trained on your decided leads." in panel
    )
    account = AccountFactory(owner=personas.owner)
    assert "scores-panel" not in client.get(f"/accounts/{account.pk}/").content.decode()


def test_the_model_screen_is_for_administrators(personas: Personas) -> None:
    # a sales rep is refused the screen and the button, and nothing is trained
    client = signed_in("owner")
    assert client.get("/lead-scoring/").status_code == 403
    assert client.post("/lead-scoring/train/").status_code == 403
    assert not LeadScoringModel.objects.exists()
    # an administrator sees that there is no model yet
    body = signed_in("admin").get("/lead-scoring/").content.decode()
    assert 'id="no-model"' in body
    assert "Leads to learn from now: 0 qualified or converted, 0 disqualified." in body


def test_train_now_shows_the_reason_or_the_new_metrics(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    admin = signed_in("admin")
    # with no decided leads: the reason, no model
    response = admin.post("/lead-scoring/train/", follow=True)
    assert "Too few decided leads to learn from: 0 qualified and 0 disqualified" in (
        response.content.decode()
    )
    assert not LeadScoringModel.objects.exists()
    # with enough: the model and its metrics
    decided_leads_build(100, owner=personas.owner, seed=11)
    with (
        override_settings(RAPPORT_LEAD_SCORING_MIN_EXAMPLES=20),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = admin.post("/lead-scoring/train/", follow=True)
    body = response.content.decode()
    model = LeadScoringModel.objects.get()
    assert "The model is trained; every lead is being scored again." in body
    assert f"<dt>Holdout AUC</dt><dd>{model.auc:.3f}" in body
    assert f"{model.positives} qualified, {model.negatives} disqualified" in body
    # and the strongest weights by readable names, the strongest first
    assert re.search(r"<tr><td>Industry: Software</td><td>1\.\d\d</td></tr>", body)


def test_rules_are_written_on_the_generated_settings_screen(personas: Personas) -> None:
    admin = signed_in("admin")
    # the form offers the lead fields to choose from
    form = admin.get("/scoring-rules/new/").content.decode()
    assert '<option value="employee_count">Employees</option>' in form
    # a number rule with a word for its value is refused beside the field, nothing written
    bad = {
        "name": "Large",
        "kind": "field",
        "field": "employee_count",
        "operator": "at_least",
        "value": "lots",
        "points": "15",
        "active": "on",
    }
    response = admin.post("/scoring-rules/new/", bad)
    assert response.status_code == 400
    assert "“lots” is not a number; “is at least” compares numbers." in response.content.decode()
    assert not ScoringRule.objects.exists()
    # corrected, it is saved
    response = admin.post("/scoring-rules/new/", {**bad, "value": "500"})
    assert response.status_code == 302
    rule = ScoringRule.objects.get()
    assert (rule.field, rule.operator, rule.value, rule.points) == (
        "employee_count",
        "at_least",
        "500",
        15,
    )
