from rapport.framework.filtersets import LeanFilterSet, field_lookups
from rapport.scoring.models import ScoringRule


class ScoringRuleFilterSet(LeanFilterSet):
    class Meta:
        model = ScoringRule
        fields = field_lookups(ScoringRule)
