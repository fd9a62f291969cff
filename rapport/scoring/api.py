"""Scoring rules' serializer, and the learned model's endpoints:
``POST /api/scoring-rules/train/`` (administrators) and ``GET /api/scoring-rules/model/``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from rapport.framework.api.serializers import RecordSerializer, actor_from_request
from rapport.scoring.models import ScoringRule
from rapport.scoring.rules import field_choices
from rapport.scoring.selectors import model_status
from rapport.scoring.services import scoring_model_train


class ScoringRuleSerializer(RecordSerializer):
    record_type_key = "scoring-rules"
    field = serializers.ChoiceField(
        choices=field_choices(),
        required=False,
        allow_blank=True,
        label=gettext_lazy("lead field"),
        help_text=gettext_lazy("For a field rule: the lead field it tests."),
        error_messages={
            "invalid_choice": gettext_lazy("“{input}” is not a lead field that rules can test.")
        },
    )

    class Meta:
        model = ScoringRule
        fields = [
            "id",
            "name",
            "active",
            "kind",
            "field",
            "behaviour",
            "within_days",
            "operator",
            "value",
            "points",
        ]


class ModelStatusSerializer(serializers.Serializer[Any]):
    trained = serializers.BooleanField()
    trained_at = serializers.DateTimeField(allow_null=True)
    positives = serializers.IntegerField(allow_null=True)
    negatives = serializers.IntegerField(allow_null=True)
    holdout_size = serializers.IntegerField(allow_null=True)
    auc = serializers.FloatField(allow_null=True)
    brier = serializers.FloatField(allow_null=True)
    base_rate = serializers.FloatField(allow_null=True)
    features = serializers.ListField(child=serializers.CharField())
    weights = serializers.ListField(child=serializers.ListField())
    usable = serializers.BooleanField()
    min_examples = serializers.IntegerField()
    available_positives = serializers.IntegerField()
    available_negatives = serializers.IntegerField()


@extend_schema(request=None, responses={201: ModelStatusSerializer})
@action(detail=False, methods=["post"])
def train(self: Any, request: Request) -> Response:
    """Train the learned lead score now (administrators); every lead is rescored after.
    400 with the reason when there are too few qualified or disqualified leads."""
    scoring_model_train(actor=actor_from_request(request))
    return Response(ModelStatusSerializer(model_status()).data, status=status.HTTP_201_CREATED)


@extend_schema(responses=ModelStatusSerializer)
@action(detail=False, methods=["get"], url_path="model")
def model_metrics(self: Any, request: Request) -> Response:
    """The current learned model: when it was trained, on how many leads, its holdout AUC
    and Brier score, its features and weights; and how many leads it could learn from now."""
    return Response(ModelStatusSerializer(model_status()).data)
