from rapport.accounts.models import Account
from rapport.framework.filtersets import RecordFilterSet, field_lookups


class AccountFilterSet(RecordFilterSet):
    class Meta:
        model = Account
        fields = {**field_lookups(Account), "parent__name": ["exact", "icontains"]}
