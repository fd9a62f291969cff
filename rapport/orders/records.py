from django.utils.translation import gettext_lazy as _

from rapport.framework.registry import ChildSpec, RecordType, register
from rapport.framework.ui.hooks import RecordPanel, record_panel
from rapport.orders.api import OrderSerializer, set_status
from rapport.orders.filtersets import OrderFilterSet
from rapport.orders.models import LINE_FIELDS, Order, OrderLine
from rapport.orders.panels import order_panel_context
from rapport.orders.services import order_after_save, order_lines_clean, order_prepare

register(
    RecordType(
        key="orders",
        model=Order,
        serializer=OrderSerializer,
        filterset=OrderFilterSet,
        search_fields=("number", "account__name", "external_reference"),
        list_columns=("number", "account", "order_date", "status", "total", "currency", "owner"),
        ordering_fields=("number", "order_date", "total", "status"),
        default_ordering=("-order_date", "-id"),
        select_related=("account",),
        prefetch_related=("tags", "lines"),
        children=(
            ChildSpec(
                "lines",
                OrderLine,
                "order",
                LINE_FIELDS,
                record_clean=order_lines_clean,
            ),
        ),
        sections=(
            (
                _("Order"),
                (
                    "number",
                    "status",
                    "account",
                    "contact",
                    "opportunity",
                    "quote",
                    "order_date",
                    "fulfilled_on",
                    "cancelled_on",
                    "currency",
                    "external_reference",
                ),
            ),
            (_("Totals"), ("subtotal", "discount_total", "tax_total", "total")),
            (_("Description"), ("description",)),
            (
                _("Record"),
                ("owner", "team", "tags", "created_at", "created_by", "updated_at", "updated_by"),
            ),
        ),
        prepare=order_prepare,
        after_save=order_after_save,
        extra_actions=(set_status,),
    )
)
record_panel(RecordPanel(("orders",), "orders/_panel.html", order_panel_context, order=10))
