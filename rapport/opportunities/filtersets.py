import django_filters

from rapport.framework.filtersets import LeanFilterSet, RecordFilterSet, field_lookups
from rapport.opportunities.models import Opportunity, Pipeline, Stage


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
