"""The pipeline forecast page: period picker, team and owner filters, a chart and a table of
the same figures, and the manager's adjustment form with the adjustment history."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rest_framework.exceptions import ValidationError as ApiValidationError

from rapport.forecasts.api import adjustment_from_data, forecast_data, forecast_for_query
from rapport.forecasts.choices import PeriodKind
from rapport.forecasts.periods import period_current
from rapport.forecasts.selectors import ForecastFigures, visible_user_ids
from rapport.framework.exceptions import RecordNotFound, RecordPermissionDenied
from rapport.identity.models import Team, User
from rapport.workspace.money import money_text


def _filter_options(user: Any) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The teams and the people ``user`` may pick (a plain list: select widgets rendered
    option by option cost more than the forecast itself with a hundred people)."""
    visible = visible_user_ids(user)
    people = User.objects.filter(is_active=True).order_by("username")
    if visible is not None:
        people = people.filter(pk__in=visible)
    return (
        list(Team.objects.order_by("name").values_list("pk", "name")),
        [
            (pk, f"{first} {last}".strip() or username)
            for pk, username, first, last in people.values_list(
                "pk", "username", "first_name", "last_name"
            )
        ],
    )


def _period_options(current: str) -> list[tuple[str, str]]:
    today = timezone.localdate()
    quarter = period_current(PeriodKind.QUARTER, today)
    month = period_current(PeriodKind.MONTH, today)
    options = []
    for p in (quarter.previous(), quarter, quarter.next()):
        options.append((p.key, p.key))
    for p in (month.previous(), month, month.next()):
        options.append((p.key, p.key))
    if current and current not in dict(options):
        options.append((current, current))
    return options


def _cells(
    figures: ForecastFigures, adjusted: Decimal | None, currency: str
) -> list[tuple[str, str]]:
    """``(column, text)`` of one table row, formatted once here rather than by a template tag
    per cell (the table has a row per person)."""

    def money(value: Decimal | None) -> str:
        return "—" if value is None else money_text(value, currency)

    attainment = figures.attainment
    return [
        ("quota", money(figures.quota)),
        ("closed", money(figures.closed)),
        (
            "attainment",
            "—"
            if attainment is None
            else _("%(percent)s %%") % {"percent": round(attainment * 100)},
        ),
        ("commit", money(figures.commit)),
        ("adjusted", money(adjusted)),
        ("best_case", money(figures.best_case)),
        ("pipeline", money(figures.pipeline)),
        ("weighted", money(figures.weighted)),
    ]


@login_required
def forecast_pipeline(request: HttpRequest) -> HttpResponse:
    """The forecast of the chosen period for the signed-in user."""
    teams, people = _filter_options(request.user)
    errors: dict[str, list[str]] = {}
    default = period_current(PeriodKind.QUARTER, timezone.localdate())
    params = {
        "period": request.GET.get("period", "") or default.key,
        "team": request.GET.get("team", ""),
        "owner": request.GET.get("owner", ""),
    }
    status = 200
    try:
        forecast = forecast_for_query(request.user, params, default)  # type: ignore[arg-type]
    except ValidationError as exc:
        errors = exc.message_dict
        forecast = forecast_for_query(request.user, {}, default)  # type: ignore[arg-type]
        status = 400
    data = forecast_data(forecast)
    context = {
        "errors": errors,
        "teams": teams,
        "people": people,
        "chosen_team": params["team"],
        "chosen_owner": params["owner"],
        "forecast": forecast,
        "data": data,
        "period_value": forecast.period.key,
        "period_options": _period_options(forecast.period.key),
        "chart": {
            "labels": [p["name"] for p in data["people"]],
            "series": [
                {
                    "key": key,
                    "label": str(label),
                    "values": [p["rolled"][key] or "0" for p in data["people"]],
                }
                for key, label in (
                    ("quota", _("Quota")),
                    ("closed", _("Closed")),
                    ("commit", _("Commit")),
                    ("best_case", _("Best case")),
                )
            ],
            "currency": forecast.currency,
        },
        "rows": [
            (
                p,
                "\u2003" * (p.depth - 1) + "↳ " if p.depth else "",
                _cells(p.rolled, p.adjusted_commit, forecast.currency),
            )
            for p in forecast.people
        ],
        "footer": _cells(
            forecast.team.figures if forecast.team else forecast.total,
            forecast.adjusted_total_commit,
            forecast.currency,
        ),
        "adjustable": [p for p in forecast.people if p.can_adjust],
        "team_adjustable": forecast.team is not None and forecast.team.can_adjust,
    }
    return render(request, "forecasts/pipeline.html", context, status=status)


@login_required
@require_POST
def forecast_adjust_view(request: HttpRequest) -> HttpResponse:
    """Record the manager's adjustment from the page's form, then show the page again."""
    back = reverse("forecast-pipeline") + "?" + request.POST.get("back_query", "")
    target = request.POST.get("target", "")
    data: dict[str, Any] = {
        "period": request.POST.get("period", ""),
        "amount": request.POST.get("amount", ""),
        "note": request.POST.get("note", ""),
    }
    kind, _sep, pk = target.partition(":")
    data["team" if kind == "team" else "user"] = pk or None
    try:
        adjustment_from_data(request, data)
    except ApiValidationError as exc:
        detail = exc.detail if isinstance(exc.detail, dict) else {"": exc.detail}
        text = " ".join(
            str(m) for msgs in detail.values() for m in (msgs if isinstance(msgs, list) else [msgs])
        )
        messages.error(request, _("The adjustment was not saved: %(reason)s") % {"reason": text})
        return redirect(back)
    except ValidationError as exc:
        messages.error(
            request,
            _("The adjustment was not saved: %(reason)s") % {"reason": " ".join(exc.messages)},
        )
        return redirect(back)
    except (RecordPermissionDenied, RecordNotFound) as exc:
        messages.error(request, _("The adjustment was not saved: %(reason)s") % {"reason": exc})
        return redirect(back)
    messages.success(request, _("Adjustment saved."))
    return redirect(back)
