from rapport.assignment.models import AssignmentRule
from rapport.framework.api.serializers import RecordSerializer


class AssignmentRuleSerializer(RecordSerializer):
    record_type_key = "assignment-rules"

    class Meta:
        model = AssignmentRule
        fields = [
            "id",
            "name",
            "position",
            "active",
            "countries",
            "regions",
            "industries",
            "employee_count_min",
            "employee_count_max",
            "sources",
            "method",
            "team",
            "user",
            "sla_minutes",
        ]
