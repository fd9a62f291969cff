"""The learned score: trained on decided leads, refused with too few, scheduled, admin-only."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from conftest import Personas, client_for
from rapport.analytics.lead_scoring import (
    TrainingRefused,
    compile_pipeline,
    features_frame,
    score,
    seniority,
    train,
)
from rapport.core.schedule import schedule_autodiscover
from rapport.framework.actor import Actor
from rapport.framework.testing.factories import LeadFactory
from rapport.leads.choices import LeadStatus
from rapport.leads.models import Lead
from rapport.scoring.models import LeadScoringModel
from rapport.scoring.services import leads_rescore
from rapport.scoring.tasks import scoring_leads_rescore, scoring_model_retrain
from rapport.scoring.tests.factories import ScoringRuleFactory, decided_leads_build

pytestmark = pytest.mark.django_db


def test_training_on_leads_with_a_signal_finds_it(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    # given 200 decided leads where software companies and senior titles qualify more often,
    # a rule, and an open lead from a software company with a director
    ScoringRuleFactory(name="Has email", field="email", operator="is_set", value="", points=5)
    decided_leads_build(200, owner=personas.owner)
    open_lead = LeadFactory(
        owner=personas.owner, industry="software", job_title="Director of IT", status="new"
    )
    # when an administrator trains the model through the API (and the transaction commits)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(personas.admin).post("/api/scoring-rules/train/")
    # then the holdout AUC shows it learned the signal, and the metrics are reported
    assert response.status_code == 201, response.json()
    metrics = response.json()
    assert metrics["trained"] is True
    assert metrics["auc"] > 0.7
    assert 0 < metrics["brier"] < 0.25  # better than a coin toss
    assert metrics["positives"] + metrics["negatives"] == 200
    assert metrics["holdout_size"] == 50
    model = LeadScoringModel.objects.get()
    assert (model.positives, model.negatives) == (metrics["positives"], metrics["negatives"])
    strongest = [name for name, _weight in model.weights[:3]]
    assert "category__industry_software" in strongest
    # and every lead has been rescored (after commit): the open lead has a learned score
    # whose reasons name the industry and the seniority, as readable text
    open_lead.refresh_from_db()
    assert open_lead.learned_score is not None and open_lead.learned_score > 0.6
    learned = open_lead.score_reasons["learned"]
    assert {r["feature"] for r in learned[:3]} >= {"industry", "seniority"}
    texts = [r["text"] for r in learned]
    assert any(t.startswith("Industry: Software +") for t in texts)
    assert any(t.startswith("Seniority: Director or head +") for t in texts)
    assert open_lead.score_reasons["rule"] == [{"rule": "Has email", "points": 5}]
    # and a retail lead with a junior title scores lower
    weak = LeadFactory(owner=personas.owner, industry="retail", job_title="Intern")
    leads_rescore(actor=Actor.system(), lead_ids=[weak.pk])
    weak.refresh_from_db()
    assert weak.learned_score is not None and weak.learned_score < open_lead.learned_score
    # and the model endpoint reports the same numbers to any signed-in user
    shown = client_for(personas.owner).get("/api/scoring-rules/model/").json()
    assert shown["auc"] == metrics["auc"]
    assert shown["available_positives"] == metrics["positives"]


def test_a_new_lead_gets_a_learned_score_when_saved(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    # given a trained model
    decided_leads_build(120, owner=personas.owner, seed=3)
    with override_settings(RAPPORT_LEAD_SCORING_MIN_EXAMPLES=20):
        assert client_for(personas.admin).post("/api/scoring-rules/train/").status_code == 201
    assert LeadScoringModel.objects.count() == 1
    # when a lead is created
    response = client_for(personas.owner).post(
        "/api/leads/",
        {"family_name": "Hopper", "industry": "software", "job_title": "VP Engineering"},
        format="json",
    )
    # then it is scored by the model right away
    lead = Lead.objects.get(pk=response.json()["id"])
    assert lead.learned_score is not None
    assert len(lead.score_reasons["learned"]) <= 3


def test_too_few_examples_refuses_training_and_changes_nothing(personas: Personas) -> None:
    # given 29 qualified and 40 disqualified leads, scored by rules only
    ScoringRuleFactory(name="Software", field="industry", value="software", points=10)
    for _ in range(29):
        LeadFactory(owner=personas.owner, status=LeadStatus.QUALIFIED, industry="software")
    for _ in range(40):
        LeadFactory(
            owner=personas.owner, status=LeadStatus.DISQUALIFIED, disqualified_reason="spam"
        )
    leads_rescore(actor=Actor.system())
    before = list(Lead.objects.order_by("id").values_list("rule_score", "learned_score"))
    # when an administrator asks for training
    response = client_for(personas.admin).post("/api/scoring-rules/train/")
    # then it is refused with the reason, and no model exists, no score changed
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["code"] == "too_few_examples"
    assert error["message"] == (
        "Too few decided leads to learn from: 29 qualified and 40 disqualified, at least 30 "
        "of each are needed. Leads keep their rule scores; the learned score stays as it is."
    )
    assert not LeadScoringModel.objects.exists()
    assert list(Lead.objects.order_by("id").values_list("rule_score", "learned_score")) == before
    assert all(learned is None for _rule, learned in before)
    # and the scheduled job reports it without failing
    assert scoring_model_retrain.call() is False
    assert not LeadScoringModel.objects.exists()
    # and the threshold is a setting
    with override_settings(RAPPORT_LEAD_SCORING_MIN_EXAMPLES=25):
        assert client_for(personas.admin).post("/api/scoring-rules/train/").status_code == 201


def test_the_pure_trainer_refuses_too_few_examples_with_a_clear_message() -> None:
    rows = [{"industry": "software"}] * 40
    with pytest.raises(TrainingRefused) as refused:
        train(rows, [1] * 10 + [0] * 30, min_examples=30)
    assert refused.value.message == (
        "Too few decided leads to learn from: 10 qualified and 30 disqualified; "
        "at least 30 of each are needed."
    )


@pytest.mark.parametrize(
    ("title", "level"),
    [
        ("Chief Revenue Officer", "executive"),
        ("Vice President, Sales", "vp"),
        ("Head of IT", "director"),
        ("Headquarters assistant", "other"),
        ("技术总监", "director"),
        ("销售经理", "manager"),
        ("", "(none)"),
    ],
)
def test_seniority_is_read_from_the_job_title(title: str, level: str) -> None:
    assert seniority(title) == level


def test_only_administrators_train(personas: Personas) -> None:
    # given enough decided leads
    decided_leads_build(80, owner=personas.owner, seed=5)
    # when a sales rep and a manager ask for training, it is refused and nothing is written
    for user in (personas.owner, personas.manager):
        response = client_for(user).post("/api/scoring-rules/train/")
        assert response.status_code == 403
        assert response.json()["code"] == "admin_only"
    assert not LeadScoringModel.objects.exists()
    assert not Lead.objects.filter(learned_score__isnull=False).exists()
    # and anyone signed in reads the (absent) model's status
    status = client_for(personas.owner).get("/api/scoring-rules/model/").json()
    assert status["trained"] is False and status["auc"] is None


def test_the_periodic_jobs_are_registered() -> None:
    jobs = {job.name: job for job in schedule_autodiscover()}
    assert jobs["scoring.model_retrain"].task is scoring_model_retrain
    assert jobs["scoring.model_retrain"].cron == "29 4 * * 0"  # weekly
    assert jobs["scoring.leads_rescore"].task is scoring_leads_rescore
    assert jobs["scoring.leads_rescore"].cron == "53 1 * * *"  # nightly


def test_converted_leads_count_as_qualified_examples(personas: Personas) -> None:
    # given a converted lead still "working", a qualified one, a disqualified one, an open one
    LeadFactory(owner=personas.owner, status=LeadStatus.WORKING, converted_at=timezone.now())
    LeadFactory(owner=personas.owner, status=LeadStatus.QUALIFIED)
    LeadFactory(owner=personas.owner, status=LeadStatus.DISQUALIFIED, disqualified_reason="spam")
    LeadFactory(owner=personas.owner, status=LeadStatus.NEW)
    # when the model status is read
    status = client_for(personas.admin).get("/api/scoring-rules/model/").json()
    # then two leads are positive examples, one negative, the open one none
    assert (status["available_positives"], status["available_negatives"]) == (2, 1)


def test_the_compiled_scorer_gives_the_pipelines_probabilities() -> None:
    # given a model trained on feature dicts with missing values and unseen categories later
    rng = random.Random(3)
    rows = [
        {
            "industry": rng.choice(["software", "retail", ""]),
            "job_title": rng.choice(["VP Sales", "Engineer", ""]),
            "employee_count": rng.choice([None, 10, 5000]),
            "has_email": rng.random() < 0.5,
            "activities_call": rng.randint(0, 4),
            "rule_score": rng.choice([0, 10, -5]),
        }
        for _ in range(300)
    ]
    labels = [int(rng.random() < (0.7 if r["industry"] == "software" else 0.3)) for r in rows]
    trained = train(rows, labels)
    scorer = compile_pipeline(trained.pipeline)
    unseen = [{"industry": "aerospace", "country": "ZZ", "employee_count": 12}]
    # when both score the same leads
    expected = trained.pipeline.predict_proba(features_frame(rows + unseen))[:, 1]
    got = [p for p, _reasons in score(scorer, rows + unseen)]
    # then the probabilities agree
    assert got == pytest.approx(list(expected), abs=1e-9)
