from rapport.framework.audit import changelog_skip
from rapport.framework.registry import RecordType, register
from rapport.leads.models import Lead
from rapport.scoring.api import ScoringRuleSerializer, model_metrics, train
from rapport.scoring.filtersets import ScoringRuleFilterSet
from rapport.scoring.models import ScoringRule
from rapport.scoring.services import SCORE_FIELDS, scoring_rule_prepare, scoring_rules_changed

register(
    RecordType(
        key="scoring-rules",
        model=ScoringRule,
        serializer=ScoringRuleSerializer,
        filterset=ScoringRuleFilterSet,
        search_fields=("name",),
        list_columns=(
            "name",
            "kind",
            "field",
            "behaviour",
            "operator",
            "value",
            "points",
            "active",
        ),
        ordering_fields=("name", "points"),
        default_ordering=("name",),
        prepare=scoring_rule_prepare,
        after_save=scoring_rules_changed,
        before_delete=scoring_rules_changed,
        extra_actions=(train, model_metrics),
        is_config=True,
    )
)

# A lead's scores are derived (recomputed from its fields, behaviour, rules and the model),
# like formula fields: they stay out of its change log.
changelog_skip(Lead, *SCORE_FIELDS)
