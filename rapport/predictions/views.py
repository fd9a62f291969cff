"""The forecast screens: bookings (history, forecast with intervals, backtest against seasonal
naive) and win probability (the model against the stage defaults; "Train now" for admins)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rapport.framework.api.serializers import actor_from_request
from rapport.framework.choices import Channel
from rapport.framework.exceptions import RecordPermissionDenied
from rapport.framework.numbers import number_text
from rapport.predictions.api import horizon_parse
from rapport.predictions.bookings import bookings_forecast
from rapport.predictions.selectors import model_status
from rapport.predictions.services import win_model_check
from rapport.predictions.tasks import win_model_retrain

HORIZONS = (3, 6, 12, 18, 24)


def _money(value: float | None) -> str:
    return "" if value is None else number_text(round(value), places=0)


def _bookings_chart(data: dict[str, Any]) -> dict[str, Any]:
    history, forecast = data["history"], data["forecast"]
    labels = [p["month"] for p in history] + [p["month"] for p in forecast]
    pad = [None] * len(history)
    # the forecast line starts at the last actual month, so the two lines join
    joint = [None] * (len(history) - 1) + [history[-1]["value"]] if history else []
    return {
        "labels": labels,
        "actual": [p["value"] for p in history] + [None] * len(forecast),
        "forecast": joint + [p["mean"] for p in forecast],
        "lower_95": pad + [p["lower_95"] for p in forecast],
        "upper_95": pad + [p["upper_95"] for p in forecast],
        "lower_80": pad + [p["lower_80"] for p in forecast],
        "upper_80": pad + [p["upper_80"] for p in forecast],
        "series": {
            "actual": _("Bookings"),
            "forecast": _("Forecast"),
            "band_95": _("95 % prediction interval"),
            "band_80": _("80 % prediction interval"),
        },
    }


@login_required
def forecast_bookings(request: HttpRequest) -> HttpResponse:
    try:
        horizon = horizon_parse(request.GET.get("horizon"))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        horizon = 12
    data = bookings_forecast(horizon=horizon)
    rows = [
        {
            "month": p["month"],
            "mean": _money(p["mean"]),
            "lower_80": _money(p["lower_80"]),
            "upper_80": _money(p["upper_80"]),
            "lower_95": _money(p["lower_95"]),
            "upper_95": _money(p["upper_95"]),
        }
        for p in data["forecast"]
    ]
    history = [{"month": p["month"], "value": _money(p["value"])} for p in data["history"]]
    context = {
        "data": data,
        "rows": rows,
        "history_rows": history[::-1],
        "horizon": horizon,
        "horizons": HORIZONS,
        "chart": _bookings_chart(data) if data["available"] else None,
    }
    return render(request, "predictions/bookings.html", context)


def _percent(value: float | None) -> str:
    return "" if value is None else number_text(round(value * 100, 1), places=1)


def _reliability(metrics: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    model_bins = metrics["model"]["reliability"]
    stage_bins = metrics["stage_default"]["reliability"]
    rows = [
        {
            "range": f"{_percent(m['lower'])}-{_percent(m['upper'])}",
            "model_predicted": _percent(m["mean_predicted"]),
            "model_observed": _percent(m["observed"]),
            "model_count": m["count"],
            "stage_predicted": _percent(s["mean_predicted"]),
            "stage_observed": _percent(s["observed"]),
            "stage_count": s["count"],
        }
        for m, s in zip(model_bins, stage_bins, strict=True)
    ]

    def points(bins: list[dict[str, Any]]) -> list[dict[str, float]]:
        return [
            {"x": b["mean_predicted"], "y": b["observed"]}
            for b in bins
            if b["count"] and b["mean_predicted"] is not None
        ]

    chart = {
        "model": points(model_bins),
        "stage": points(stage_bins),
        "series": {
            "diagonal": _("Perfect calibration"),
            "model": _("Model"),
            "stage": _("Stage defaults"),
        },
        "axes": {"x": _("Predicted probability"), "y": _("Observed win rate")},
    }
    return rows, chart


@login_required
def forecast_win_probability(request: HttpRequest) -> HttpResponse:
    status = model_status()
    rows: list[dict[str, Any]] = []
    chart = None
    metrics = status["metrics"]
    if metrics:
        rows, chart = _reliability(metrics)
    context = {
        "status": status,
        "metrics": metrics,
        "rows": rows,
        "chart": chart,
        "is_admin": request.user.is_superuser,
    }
    return render(request, "predictions/win_probability.html", context)


@login_required
@require_POST
def forecast_win_probability_train(request: HttpRequest) -> HttpResponse:
    try:
        win_model_check(actor=actor_from_request(request, Channel.UI))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except RecordPermissionDenied as exc:
        messages.error(request, str(exc))
        return render(request, "ui/denied.html", status=403)
    else:
        win_model_retrain.enqueue()
        messages.success(
            request,
            _("Training has started; the open opportunities are scored when it is done."),
        )
    return redirect("forecast-win-probability")
