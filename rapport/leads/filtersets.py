from rapport.framework.filtersets import RecordFilterSet, field_lookups
from rapport.leads.models import Lead


class LeadFilterSet(RecordFilterSet):
    class Meta:
        model = Lead
        fields = field_lookups(Lead)
