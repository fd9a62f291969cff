"""The forecast API: quotas (a configuration record type), ``GET /api/forecasts/pipeline/``
and ``POST /api/forecasts/adjustments/``."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from rapport.forecasts.choices import PeriodKind
from rapport.forecasts.models import ForecastAdjustment, Quota
from rapport.forecasts.periods import Period, period_current, period_parse
from rapport.forecasts.selectors import (
    ForecastFigures,
    PipelineForecast,
    pipeline_forecast,
    visible_user_ids,
)
from rapport.forecasts.services import forecast_adjust
from rapport.framework.api.serializers import RecordSerializer, actor_from_request
from rapport.framework.exceptions import RecordNotFound
from rapport.identity.models import Team, User

_CENT = Decimal("0.01")


def _money(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=22, decimal_places=2, **kwargs)


class QuotaSerializer(RecordSerializer):
    record_type_key = "quotas"

    class Meta:
        model = Quota
        fields = ["id", "user", "team", "period_kind", "period_start", "amount", "currency"]


class FiguresSerializer(serializers.Serializer[Any]):
    closed = _money(help_text=gettext_lazy("Won."))
    commit = _money(help_text=gettext_lazy("Closed + commit."))
    best_case = _money(help_text=gettext_lazy("Commit + best case."))
    pipeline = _money(help_text=gettext_lazy("Every open opportunity not omitted."))
    weighted = _money(help_text=gettext_lazy("Open opportunities, amount x probability."))
    quota = _money(allow_null=True)
    attainment = serializers.FloatField(
        allow_null=True, help_text=gettext_lazy("Closed / quota (0.5 for half).")
    )
    open_count = serializers.IntegerField()
    unconverted = serializers.IntegerField(
        help_text=gettext_lazy("Opportunities left out: no exchange rate for their currency.")
    )


class PersonForecastSerializer(serializers.Serializer[Any]):
    user = serializers.IntegerField(source="user_id")
    name = serializers.CharField()
    depth = serializers.IntegerField()
    reports = serializers.ListField(child=serializers.IntegerField(), source="report_ids")
    own = FiguresSerializer()
    rolled = FiguresSerializer(help_text=gettext_lazy("Own figures plus every report's."))
    adjusted_commit = _money(allow_null=True)
    adjusted_rollup_commit = _money()
    can_adjust = serializers.BooleanField()


class TeamForecastSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    figures = FiguresSerializer()
    adjusted_commit = _money(allow_null=True)
    can_adjust = serializers.BooleanField()


class AdjustmentViewSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    manager = serializers.CharField()
    target = serializers.CharField()
    amount = _money()
    note = serializers.CharField()
    created_at = serializers.DateTimeField()


class PipelineForecastSerializer(serializers.Serializer[Any]):
    period = serializers.CharField(source="period.key")
    period_kind = serializers.CharField(source="period.kind")
    start = serializers.DateField(source="period.start")
    end = serializers.DateField(source="period.last_day")
    currency = serializers.CharField()
    people = PersonForecastSerializer(many=True)
    total = FiguresSerializer()
    adjusted_total_commit = _money()
    team = TeamForecastSerializer(allow_null=True)
    adjustments = AdjustmentViewSerializer(many=True)
    missing_rates = serializers.ListField(child=serializers.CharField())


def _money_text(value: Decimal | None) -> str | None:
    if value is None:
        return None
    return f"{Decimal(value).quantize(_CENT, rounding=ROUND_HALF_UP):f}"


def _figures(f: ForecastFigures) -> dict[str, Any]:
    return {
        "closed": _money_text(f.closed),
        "commit": _money_text(f.commit),
        "best_case": _money_text(f.best_case),
        "pipeline": _money_text(f.pipeline),
        "weighted": _money_text(f.weighted),
        "quota": _money_text(f.quota),
        "attainment": f.attainment,
        "open_count": f.open_count,
        "unconverted": f.unconverted,
    }


def forecast_data(forecast: PipelineForecast) -> dict[str, Any]:
    """The API representation of a forecast, as ``PipelineForecastSerializer`` describes it
    (written out: a serializer per figure cost more than the rest of the request with a
    hundred people); the page's chart reads the same."""
    created = serializers.DateTimeField()
    team = forecast.team
    return {
        "period": forecast.period.key,
        "period_kind": str(forecast.period.kind),
        "start": forecast.period.start.isoformat(),
        "end": forecast.period.last_day.isoformat(),
        "currency": forecast.currency,
        "people": [
            {
                "user": p.user_id,
                "name": p.name,
                "depth": p.depth,
                "reports": list(p.report_ids),
                "own": _figures(p.own),
                "rolled": _figures(p.rolled),
                "adjusted_commit": _money_text(p.adjusted_commit),
                "adjusted_rollup_commit": _money_text(p.adjusted_rollup_commit),
                "can_adjust": p.can_adjust,
            }
            for p in forecast.people
        ],
        "total": _figures(forecast.total),
        "adjusted_total_commit": _money_text(forecast.adjusted_total_commit),
        "team": None
        if team is None
        else {
            "id": team.id,
            "name": team.name,
            "figures": _figures(team.figures),
            "adjusted_commit": _money_text(team.adjusted_commit),
            "can_adjust": team.can_adjust,
        },
        "adjustments": [
            {
                "id": a.id,
                "manager": a.manager,
                "target": a.target,
                "amount": _money_text(a.amount),
                "note": a.note,
                "created_at": created.to_representation(a.created_at),
            }
            for a in forecast.adjustments
        ],
        "missing_rates": list(forecast.missing_rates),
    }


def _visible_user(user: User, raw: str, name: str) -> User | None:
    if not raw:
        return None
    visible = visible_user_ids(user)
    try:
        pk = int(raw)
    except ValueError:
        pk = -1
    found = User.objects.filter(pk=pk).first()
    if found is None or (visible is not None and found.pk not in visible):
        raise DjangoValidationError(
            {
                name: DjangoValidationError(
                    gettext_lazy("No such person, or you may not see them."), code="does_not_exist"
                )
            }
        )
    return found


def _team(raw: str) -> Team | None:
    if not raw:
        return None
    team = Team.objects.filter(pk=int(raw) if raw.isdigit() else -1).first()
    if team is None:
        raise DjangoValidationError(
            {"team": DjangoValidationError(gettext_lazy("No such team."), code="does_not_exist")}
        )
    return team


def forecast_for_query(user: User, params: Any, default: Period) -> PipelineForecast:
    """The forecast asked for by query parameters ``period``, ``team`` and ``owner``."""
    raw_period = params.get("period", "")
    period = period_parse(raw_period) if raw_period else default
    return pipeline_forecast(
        user=user,
        period=period,
        team=_team(params.get("team", "")),
        owner=_visible_user(user, params.get("owner", ""), "owner"),
    )


class PipelineForecastView(APIView):
    """The pipeline forecast of a period per person, rolled up through the role hierarchy."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "period", str, description="YYYY-MM or YYYY-Qn; the current quarter by default"
            ),
            OpenApiParameter("team", int, description="only this team's members"),
            OpenApiParameter("owner", int, description="only this person and their reports"),
        ],
        responses=PipelineForecastSerializer,
    )
    def get(self, request: Request) -> Response:
        forecast = forecast_for_query(
            request.user,  # type: ignore[arg-type]
            request.query_params,
            period_current(PeriodKind.QUARTER, timezone.localdate()),
        )
        return Response(forecast_data(forecast))


class AdjustmentRequestSerializer(serializers.Serializer[Any]):
    period = serializers.CharField(help_text=gettext_lazy("YYYY-MM or YYYY-Qn"))
    user = serializers.IntegerField(required=False, allow_null=True)
    team = serializers.IntegerField(required=False, allow_null=True)
    amount = serializers.DecimalField(max_digits=18, decimal_places=2)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class AdjustmentSerializer(serializers.ModelSerializer[ForecastAdjustment]):
    class Meta:
        model = ForecastAdjustment
        fields = [
            "id",
            "manager",
            "user",
            "team",
            "period_kind",
            "period_start",
            "category",
            "amount",
            "note",
            "created_at",
        ]
        read_only_fields = fields


def adjustment_from_data(request: Any, data: Any) -> ForecastAdjustment:
    """Validate an adjustment request and record it (the API and the page share this)."""
    given = AdjustmentRequestSerializer(data=data)
    given.is_valid(raise_exception=True)
    values = given.validated_data
    user = None
    if values.get("user"):
        user = User.objects.filter(pk=values["user"]).first()
        if user is None:
            raise RecordNotFound()
    team = None
    if values.get("team"):
        team = Team.objects.filter(pk=values["team"]).first()
        if team is None:
            raise RecordNotFound()
    return forecast_adjust(
        actor=actor_from_request(request),
        period=period_parse(values["period"]),
        amount=values["amount"],
        user=user,
        team=team,
        note=values.get("note", ""),
    )


class ForecastAdjustmentView(APIView):
    """A manager's commit for one of their people (or a team) in a period."""

    @extend_schema(request=AdjustmentRequestSerializer, responses={201: AdjustmentSerializer})
    def post(self, request: Request) -> Response:
        adjustment = adjustment_from_data(request, request.data)
        return Response(AdjustmentSerializer(adjustment).data, status=status.HTTP_201_CREATED)
