from rapport.assignment.models import AssignmentRule
from rapport.framework.filtersets import LeanFilterSet, field_lookups


class AssignmentRuleFilterSet(LeanFilterSet):
    class Meta:
        model = AssignmentRule
        fields = field_lookups(AssignmentRule)
