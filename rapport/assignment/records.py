from rapport.assignment.api import AssignmentRuleSerializer
from rapport.assignment.filtersets import AssignmentRuleFilterSet
from rapport.assignment.models import AssignmentRule
from rapport.assignment.services import rule_prepare
from rapport.framework.registry import RecordType, register

register(
    RecordType(
        key="assignment-rules",
        model=AssignmentRule,
        serializer=AssignmentRuleSerializer,
        filterset=AssignmentRuleFilterSet,
        search_fields=("name",),
        list_columns=("name", "position", "method", "team", "user", "sla_minutes", "active"),
        ordering_fields=("name", "position"),
        default_ordering=("position",),
        is_config=True,
        prepare=rule_prepare,
    )
)
