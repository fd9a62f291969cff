from rapport.framework.filtersets import RecordFilterSet, field_lookups
from rapport.quotes.models import Quote


class QuoteFilterSet(RecordFilterSet):
    class Meta:
        model = Quote
        fields = {**field_lookups(Quote), "account__name": ["exact", "icontains"]}
