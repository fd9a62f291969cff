import django_filters

from rapport.framework.filtersets import RecordFilterSet, field_lookups
from rapport.opportunities.models import Opportunity, Pipeline, Stage


class OpportunityFilterSet(RecordFilterSet):
    contact = django_filters.NumberFilter(field_name="contact_roles__contact", distinct=True)

    class Meta:
        model = Opportunity
        fields = {**field_lookups(Opportunity), "account__name": ["exact", "icontains"],
                  "account__industry": ["exact", "in"], "stage__kind": ["exact", "in"]}


class PipelineFilterSet(django_filters.FilterSet):
    class Meta:
        model = Pipeline
        fields = field_lookups(Pipeline)


class StageFilterSet(django_filters.FilterSet):
    class Meta:
        model = Stage
        fields = field_lookups(Stage)
