from rapport.framework.filtersets import RecordFilterSet, field_lookups
from rapport.orders.models import Order


class OrderFilterSet(RecordFilterSet):
    class Meta:
        model = Order
        fields = {**field_lookups(Order), "account__name": ["exact", "icontains"]}
