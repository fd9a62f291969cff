"""The learned forecasts in the API: ``GET /api/forecasts/bookings/?horizon=12``,
``GET /api/forecasts/win-probability/`` and ``POST /api/forecasts/win-probability/train/``
(administrators)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from rapport.framework.api.serializers import actor_from_request
from rapport.predictions.bookings import bookings_forecast
from rapport.predictions.selectors import model_status
from rapport.predictions.services import win_model_check
from rapport.predictions.tasks import win_model_retrain

HORIZON_MAX = 36


def horizon_parse(raw: str | None) -> int:
    """The ``horizon`` parameter: whole months from 1 to ``HORIZON_MAX``, 12 when absent."""
    if raw in (None, ""):
        return 12
    try:
        value = int(str(raw))
    except ValueError:
        value = 0
    if not 1 <= value <= HORIZON_MAX:
        raise ValidationError(
            {
                "horizon": ValidationError(
                    _("The horizon must be a whole number of months from 1 to %(max)s.")
                    % {"max": HORIZON_MAX},
                    code="invalid_horizon",
                )
            }
        )
    return value


class ForecastPointSerializer(serializers.Serializer[Any]):
    month = serializers.CharField(help_text="YYYY-MM")
    mean = serializers.FloatField()
    lower_80 = serializers.FloatField()
    upper_80 = serializers.FloatField()
    lower_95 = serializers.FloatField()
    upper_95 = serializers.FloatField()


class HistoryPointSerializer(serializers.Serializer[Any]):
    month = serializers.CharField(help_text="YYYY-MM")
    value = serializers.FloatField()


class AccuracySerializer(serializers.Serializer[Any]):
    mase = serializers.FloatField(allow_null=True)
    mape = serializers.FloatField(allow_null=True, help_text="percent")


class BacktestSerializer(serializers.Serializer[Any]):
    origins = serializers.IntegerField()
    horizon = serializers.IntegerField()
    model = AccuracySerializer()
    seasonal_naive = AccuracySerializer()
    coverage_80 = serializers.FloatField(allow_null=True)
    coverage_95 = serializers.FloatField(allow_null=True)


class BookingsForecastSerializer(serializers.Serializer[Any]):
    available = serializers.BooleanField()
    message = serializers.CharField(allow_blank=True)
    currency = serializers.CharField()
    horizon = serializers.IntegerField()
    orders = serializers.IntegerField(help_text="Confirmed and fulfilled orders counted.")
    won_without_order = serializers.IntegerField(
        help_text="Won opportunities without an order, counted at their amount."
    )
    unconverted = serializers.ListField(
        child=serializers.CharField(), help_text="Currencies left out: no exchange rate."
    )
    model = serializers.CharField(allow_null=True)
    seasonal = serializers.BooleanField()
    notes = serializers.ListField(child=serializers.CharField())
    history = HistoryPointSerializer(many=True)
    forecast = ForecastPointSerializer(many=True)
    backtest = BacktestSerializer(allow_null=True)


class WinProbabilityStatusSerializer(serializers.Serializer[Any]):
    trained = serializers.BooleanField()
    trained_at = serializers.DateTimeField(allow_null=True)
    trained_by = serializers.CharField(allow_null=True)
    closed_available = serializers.IntegerField()
    won_available = serializers.IntegerField()
    lost_available = serializers.IntegerField()
    min_closed = serializers.IntegerField()
    features = serializers.ListField(child=serializers.CharField())
    metrics = serializers.JSONField(
        allow_null=True,
        help_text=(
            "Holdout evaluation: model and stage_default (brier, log_loss, reliability bins), "
            "brier_skill_score, uncalibrated_brier, calibration, counts."
        ),
    )
    seconds = serializers.FloatField(allow_null=True)
    scored = serializers.IntegerField(help_text="Open opportunities with a prediction.")


class BookingsForecastView(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("horizon", int, description="Months ahead, 1 to 36.")],
        responses=BookingsForecastSerializer,
    )
    def get(self, request: Request) -> Response:
        """Monthly bookings (base currency), the forecast with 80 % and 95 % intervals, and
        the rolling-origin backtest of the model against seasonal naive (MASE, MAPE)."""
        horizon = horizon_parse(request.query_params.get("horizon"))
        return Response(BookingsForecastSerializer(bookings_forecast(horizon=horizon)).data)


class WinProbabilityView(APIView):
    @extend_schema(responses=WinProbabilityStatusSerializer)
    def get(self, request: Request) -> Response:
        """The current win-probability model: its holdout Brier score and log loss against
        the stage-default probabilities, reliability bins of both, when it was trained."""
        return Response(WinProbabilityStatusSerializer(model_status()).data)


class WinProbabilityTrainView(APIView):
    @extend_schema(request=None, responses={202: WinProbabilityStatusSerializer})
    def post(self, request: Request) -> Response:
        """Queue a training run (administrators); the open opportunities are scored after it.
        400 with the reason when there are too few closed opportunities."""
        win_model_check(actor=actor_from_request(request))
        win_model_retrain.enqueue()
        return Response(
            WinProbabilityStatusSerializer(model_status()).data, status=status.HTTP_202_ACCEPTED
        )
