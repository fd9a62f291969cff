"""REST shape of orders and their lines."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from rapport.framework.api.serializers import (
    ChildSerializer,
    OwnedRecordSerializer,
    actor_from_request,
)
from rapport.orders.choices import OrderStatus
from rapport.orders.models import LINE_COMPUTED_FIELDS, LINE_FIELDS, Order, OrderLine
from rapport.orders.services import order_set_status


class OrderLineSerializer(ChildSerializer):
    class Meta:
        model = OrderLine
        fields = list(LINE_FIELDS)
        read_only_fields = list(LINE_COMPUTED_FIELDS)


class OrderSerializer(OwnedRecordSerializer):
    """An order; its number is given when left empty, its totals are the sums of its lines
    when it has lines (an imported order of the purchase history may have totals only)."""

    record_type_key = "orders"
    lines = OrderLineSerializer(many=True, required=False)
    number = serializers.CharField(max_length=40, required=False, allow_blank=True)
    order_date = serializers.DateField(required=False)

    class Meta:
        model = Order
        fields = [
            *OwnedRecordSerializer.RECORD_FIELDS,
            "number",
            "account",
            "contact",
            "opportunity",
            "quote",
            "status",
            "order_date",
            "fulfilled_on",
            "cancelled_on",
            "currency",
            "subtotal",
            "discount_total",
            "tax_total",
            "total",
            "external_reference",
            "description",
            "lines",
        ]
        # status is writable so that the purchase history can be imported; changes of an
        # existing order's status follow the transitions of order_prepare
        read_only_fields = ["quote"]


class OrderStatusSerializer(serializers.Serializer):  # type: ignore[type-arg]
    status = serializers.ChoiceField(choices=OrderStatus.choices)


@extend_schema(request=OrderStatusSerializer, responses=OrderSerializer)
@action(detail=True, methods=["post"], url_path="set-status")
def set_status(self: Any, request: Request, pk: str | None = None) -> Response:
    """Move the order to another status: draft → confirmed → fulfilled, or cancelled from
    draft or confirmed; the fulfilment or cancellation date is today."""
    order = self.get_object()
    form = OrderStatusSerializer(data=request.data)
    form.is_valid(raise_exception=True)
    updated = order_set_status(
        actor=actor_from_request(request), order=order, status=form.validated_data["status"]
    )
    return Response(OrderSerializer(updated, context=self.get_serializer_context()).data)
