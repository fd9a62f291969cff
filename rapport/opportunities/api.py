from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from rapport.framework.api.serializers import (
    ChildSerializer,
    OwnedRecordSerializer,
    RecordSerializer,
)
from rapport.opportunities.models import (
    CloseReason,
    Competitor,
    Opportunity,
    OpportunityCompetitor,
    OpportunityContact,
    OpportunityLine,
    Pipeline,
    Stage,
    StageHistory,
)
from rapport.opportunities.selectors import opportunity_totals


class OpportunityContactSerializer(ChildSerializer):
    class Meta:
        model = OpportunityContact
        fields = ["contact", "role"]


class OpportunityCompetitorSerializer(ChildSerializer):
    class Meta:
        model = OpportunityCompetitor
        fields = ["competitor", "strengths", "weaknesses", "is_winner"]


class OpportunityLineSerializer(ChildSerializer):
    class Meta:
        model = OpportunityLine
        fields = ["product", "quantity", "unit_price", "discount_percent", "position"]


@extend_schema_field(OpenApiTypes.INT)
class DaysSinceField(serializers.Field):  # type: ignore[type-arg]
    """Whole days from a moment to today (read-only)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> int | None:
        if value is None:
            return None
        return (timezone.localdate() - timezone.localtime(value).date()).days


class StageHistorySerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = StageHistory
        fields = ["stage", "entered_at", "left_at", "changed_by"]


class OpportunitySerializer(OwnedRecordSerializer):
    record_type_key = "opportunities"
    contact_roles = OpportunityContactSerializer(many=True, required=False)
    stage_history = StageHistorySerializer(many=True, read_only=True)
    competitors = OpportunityCompetitorSerializer(many=True, required=False)
    lines = OpportunityLineSerializer(many=True, required=False)
    days_in_stage = DaysSinceField(
        source="stage_entered_at",
        help_text=gettext_lazy("Whole days since the opportunity entered its current stage."),
    )
    probability = serializers.IntegerField(
        min_value=0, max_value=100, required=False, allow_null=True
    )

    class Meta:
        model = Opportunity
        fields = [
            *OwnedRecordSerializer.RECORD_FIELDS,
            "name",
            "account",
            "primary_contact",
            "contact_roles",
            "pipeline",
            "stage",
            "amount",
            "currency",
            "expected_close_date",
            "probability",
            "next_step",
            "description",
            "forecast_category",
            "close_reason",
            "lost_reason",
            "competitors",
            "lines",
            "source",
            "closed_at",
            "days_in_stage",
            "stage_history",
        ]
        read_only_fields = ["closed_at"]


class PipelineSerializer(RecordSerializer):
    record_type_key = "pipelines"

    class Meta:
        model = Pipeline
        fields = ["id", "name", "is_default", "position"]


class StageSerializer(RecordSerializer):
    record_type_key = "stages"

    class Meta:
        model = Stage
        fields = [
            "id",
            "pipeline",
            "name",
            "position",
            "probability",
            "kind",
            "forecast_category",
            "required_fields",
        ]


class CloseReasonSerializer(RecordSerializer):
    record_type_key = "close-reasons"

    class Meta:
        model = CloseReason
        fields = ["id", "kind", "name", "active"]


class CompetitorSerializer(RecordSerializer):
    record_type_key = "competitors"

    class Meta:
        model = Competitor
        fields = ["id", "name", "website"]


class CurrencyTotalSerializer(serializers.Serializer):  # type: ignore[type-arg]
    currency = serializers.CharField()
    count = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=30, decimal_places=2)
    weighted_amount = serializers.DecimalField(max_digits=30, decimal_places=2)


class OpportunityTotalsSerializer(serializers.Serializer):  # type: ignore[type-arg]
    currency = serializers.CharField()
    on = serializers.DateField()
    count = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=30, decimal_places=2)
    weighted_amount = serializers.DecimalField(max_digits=30, decimal_places=2)
    by_currency = CurrencyTotalSerializer(many=True)
    missing_rates = serializers.ListField(child=serializers.CharField())


@extend_schema(responses=OpportunityTotalsSerializer)
@action(detail=False, methods=["get"])
def totals(self: Any, request: Request) -> Response:
    """Totals of the opportunities matching the list filters, in the organisation's currency
    at today's rate (``?on=YYYY-MM-DD`` for another day)."""
    on_param = request.query_params.get("on")
    on = parse_date(on_param) if on_param else timezone.localdate()
    if on is None:
        raise ValidationError({"on": [_("Enter a date as YYYY-MM-DD.")]})
    queryset = self.filter_queryset(self.get_queryset())
    return Response(opportunity_totals(queryset=queryset, on=on))
