"""The forecast pages: charts with their data blocks and tables, "Train now" for admins, and
the stage defaults named when there is no model."""

from __future__ import annotations

import json
import re

from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from conftest import Personas
from rapport.demo.plan import DemoResult
from rapport.opportunities.models import Opportunity
from rapport.predictions.models import WinProbabilityModel


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _data_block(html: str, block_id: str) -> dict:
    match = re.search(rf'<script id="{block_id}" type="application/json">(.*?)</script>', html)
    assert match, block_id
    return dict(json.loads(match.group(1)))


def test_pages_need_a_signed_in_user(db: None) -> None:
    for name in ("forecast-bookings", "forecast-win-probability"):
        response = Client().get(reverse(name))
        assert response.status_code == 302 and "login" in response["Location"]


def test_bookings_page_has_the_chart_data_and_tables(
    history: DemoResult, personas: Personas
) -> None:
    response = _client(personas.owner).get(reverse("forecast-bookings"), {"horizon": 6})
    assert response.status_code == 200
    html = response.content.decode()
    chart = _data_block(html, "bookings-chart-data")
    months = len(chart["labels"])
    assert chart["labels"][-6:] == [
        "2026-11",
        "2026-12",
        "2027-01",
        "2027-02",
        "2027-03",
        "2027-04",
    ]
    assert len(chart["actual"]) == len(chart["forecast"]) == len(chart["upper_95"]) == months
    assert chart["actual"][-1] is None and chart["forecast"][-1] is not None
    assert 'src="/static/rapport/forecast-bookings.js"' in html
    for table in ('id="accuracy"', 'id="forecast-table"', 'id="history-table"'):
        assert table in html
    assert "Seasonal naive" in html and "MASE" in html
    assert html.count('<tr><th scope="row">2027-0') == 4  # forecast rows Jan to Apr 2027
    assert "<script>" not in html and "style=" not in html


def test_bookings_page_without_history(personas: Personas) -> None:
    html = _client(personas.owner).get(reverse("forecast-bookings")).content.decode()
    assert 'id="no-forecast"' in html and "Not enough booking history" in html
    assert "bookings-chart-data" not in html


@override_settings(RAPPORT_WIN_MODEL_MIN_CLOSED=100_000)
def test_train_now_with_too_few_closed_keeps_the_stage_defaults(
    history: DemoResult, personas: Personas
) -> None:
    # When an administrator presses "Train now" with too little history
    client = _client(personas.admin)
    response = client.post(reverse("forecast-win-probability-train"), follow=True)
    # Then the page explains why and says the stage defaults are used; nothing changed
    html = response.content.decode()
    assert "Not enough closed opportunities to learn from" in html
    assert 'id="no-model"' in html and "default probabilities are used" in html
    assert not WinProbabilityModel.objects.exists()
    assert not Opportunity.objects.filter(predicted_probability__isnull=False).exists()


def test_train_now_is_for_administrators(history: DemoResult, personas: Personas) -> None:
    client = _client(personas.owner)
    html = client.get(reverse("forecast-win-probability")).content.decode()
    assert "Train now" not in html
    response = client.post(reverse("forecast-win-probability-train"))
    assert response.status_code == 403
    assert not WinProbabilityModel.objects.exists()


def test_win_probability_page_compares_model_and_stage_defaults(
    history: DemoResult, personas: Personas
) -> None:
    # Given a model trained through "Train now"
    admin = _client(personas.admin)
    response = admin.post(reverse("forecast-win-probability-train"), follow=True)
    assert "Training has started" in response.content.decode()
    # When a user opens the page
    html = _client(personas.owner).get(reverse("forecast-win-probability")).content.decode()
    # Then the Brier table, the reliability chart's data and its table are there
    model = WinProbabilityModel.objects.get()
    assert 'id="brier"' in html and 'id="reliability"' in html
    assert f"{model.metrics['model']['brier']:.4f}" in html
    assert f"{model.metrics['stage_default']['brier']:.4f}" in html
    chart = _data_block(html, "reliability-chart-data")
    assert {p["x"] for p in chart["model"]} <= {
        b["mean_predicted"] for b in model.metrics["model"]["reliability"]
    }
    assert len(chart["stage"]) == sum(
        1 for b in model.metrics["stage_default"]["reliability"] if b["count"]
    )
    assert html.count('<tr><th scope="row">') == 10 + 2  # ten bins, two Brier rows
    assert 'src="/static/rapport/forecast-win.js"' in html


def test_opportunity_page_shows_the_prediction_beside_the_stage_default(
    history: DemoResult, personas: Personas
) -> None:
    # Given an open deal before and after scoring
    deal = Opportunity.objects.filter(closed_at__isnull=True).order_by("id").first()
    assert deal is not None
    admin = _client(personas.admin)
    url = reverse("ui:detail", kwargs={"key": "opportunities", "pk": deal.pk})
    html = admin.get(url).content.decode()
    assert 'id="section-win-probability"' in html
    assert f"{deal.probability} %" in html
    assert "No prediction yet: the stage default is used." in html
    # When the model is trained (and the open deals scored)
    admin.post(reverse("forecast-win-probability-train"))
    deal.refresh_from_db()
    assert deal.predicted_probability is not None
    html = admin.get(url).content.decode()
    # Then the page shows the predicted percentage
    assert f"{round(deal.predicted_probability * 100)} %" in html
    assert "No prediction yet" not in html
