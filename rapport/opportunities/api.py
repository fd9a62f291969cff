from rest_framework import serializers

from rapport.framework.api.serializers import (
    ChildSerializer,
    OwnedRecordSerializer,
    RecordSerializer,
)
from rapport.opportunities.models import (
    Opportunity,
    OpportunityContact,
    Pipeline,
    Stage,
    StageHistory,
)


class OpportunityContactSerializer(ChildSerializer):
    class Meta:
        model = OpportunityContact
        fields = ["contact", "role"]


class StageHistorySerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = StageHistory
        fields = ["stage", "entered_at", "left_at", "changed_by"]


class OpportunitySerializer(OwnedRecordSerializer):
    record_type_key = "opportunities"
    contact_roles = OpportunityContactSerializer(many=True, required=False)
    stage_history = StageHistorySerializer(many=True, read_only=True)
    probability = serializers.IntegerField(min_value=0, max_value=100, required=False,
                                           allow_null=True)

    class Meta:
        model = Opportunity
        fields = [*OwnedRecordSerializer.RECORD_FIELDS, "name", "account", "primary_contact",
                  "contact_roles", "pipeline", "stage", "amount", "currency",
                  "expected_close_date", "probability", "next_step", "description",
                  "lost_reason", "source", "closed_at", "stage_history"]
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
        fields = ["id", "pipeline", "name", "position", "probability", "kind"]
