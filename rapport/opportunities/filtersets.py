import django_filters

from rapport.framework.filtersets import LeanFilterSet, RecordFilterSet, field_lookups
from rapport.opportunities.models import CloseReason, Competitor, Opportunity, Pipeline, Stage


class OpportunityFilterSet(RecordFilterSet):
    contact = django_filters.NumberFilter(field_name="contact_roles__contact", distinct=True)

    class Meta:
        model = Opportunity
        fields = {
            **field_lookups(Opportunity),
            "account__name": ["exact", "icontains"],
            "account__industry": ["exact", "in"],
            "stage__kind": ["exact", "in"],
        }


class PipelineFilterSet(LeanFilterSet):
    class Meta:
        model = Pipeline
        fields = field_lookups(Pipeline)


class StageFilterSet(LeanFilterSet):
    class Meta:
        model = Stage
        fields = field_lookups(Stage)


class CloseReasonFilterSet(LeanFilterSet):
    class Meta:
        model = CloseReason
        fields = field_lookups(CloseReason)


class CompetitorFilterSet(LeanFilterSet):
    class Meta:
        model = Competitor
        fields = field_lookups(Competitor)
