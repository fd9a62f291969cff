from rapport.accounts.api import AccountSerializer
from rapport.accounts.filtersets import AccountFilterSet
from rapport.accounts.models import Account
from rapport.accounts.quality import ACCOUNT_CHECKS
from rapport.accounts.services import account_merge_related, account_prepare
from rapport.framework.registry import RecordType, register
from rapport.merges.api import merge

register(
    RecordType(
        key="accounts",
        model=Account,
        serializer=AccountSerializer,
        filterset=AccountFilterSet,
        search_fields=("name", "domain", "phone_e164"),
        list_columns=("name", "industry", "billing_country", "lifecycle_stage", "owner"),
        ordering_fields=("name", "employee_count", "annual_revenue", "lifecycle_stage"),
        default_ordering=("name",),
        prefetch_related=("tags",),
        prepare=account_prepare,
        extra_actions=(merge,),
        merge_related=account_merge_related,
        quality_checks=ACCOUNT_CHECKS,
    )
)
