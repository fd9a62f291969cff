import django_filters

from rapport.contacts.models import Contact
from rapport.framework.filtersets import RecordFilterSet, field_lookups


class ContactFilterSet(RecordFilterSet):
    account = django_filters.NumberFilter(field_name="memberships__account", distinct=True)
    buying_role = django_filters.CharFilter(field_name="memberships__buying_role", distinct=True)
    email = django_filters.CharFilter(
        field_name="emails__email", lookup_expr="iexact", distinct=True
    )

    class Meta:
        model = Contact
        fields = {
            **field_lookups(Contact),
            "primary_account__name": ["exact", "icontains"],
            "primary_account__industry": ["exact", "in"],
        }
