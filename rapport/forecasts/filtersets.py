from rapport.forecasts.models import Quota
from rapport.framework.filtersets import LeanFilterSet, field_lookups


class QuotaFilterSet(LeanFilterSet):
    class Meta:
        model = Quota
        fields = field_lookups(Quota)
