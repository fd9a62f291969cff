from rapport.forecasts.api import QuotaSerializer
from rapport.forecasts.filtersets import QuotaFilterSet
from rapport.forecasts.models import Quota
from rapport.forecasts.services import quota_prepare
from rapport.framework.registry import RecordType, register

register(
    RecordType(
        key="quotas",
        model=Quota,
        serializer=QuotaSerializer,
        filterset=QuotaFilterSet,
        list_columns=("user", "team", "period_kind", "period_start", "amount", "currency"),
        ordering_fields=("period_start", "amount"),
        default_ordering=("-period_start",),
        is_config=True,
        prepare=quota_prepare,
    )
)
