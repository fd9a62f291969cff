"""Generic-suite spec of orders (rapport.framework.testing.specs)."""

from __future__ import annotations

from typing import Any

from rapport.framework.testing.factories import AccountFactory, TagFactory
from rapport.framework.testing.specs import (
    FieldFilter,
    OwnedRecordSpec,
    ReferenceCase,
    register_spec,
)
from rapport.orders.models import Order
from rapport.orders.tests.factories import OrderFactory, OrderLineFactory


def order_build(*, owner: Any, team: Any = None, **overrides: Any) -> Order:
    order = OrderFactory(owner=owner, team=team, **overrides)
    OrderLineFactory(order=order)
    order.tags.add(TagFactory(name="repeat"))
    return order


def order_create_payload(user: Any) -> dict[str, Any]:
    TagFactory(name="repeat")
    return {
        "account": AccountFactory(owner=user).pk,
        "currency": "USD",
        "order_date": "2026-11-20",
        "tags": ["repeat"],
        "lines": [{"description": "Licences", "quantity": "3", "unit_price": "40.00"}],
    }


register_spec(
    OwnedRecordSpec(
        key="orders",
        build=order_build,
        create_payload=order_create_payload,
        update_payload=lambda: {"description": "Delivered in two parts"},
        field_filter=FieldFilter(
            constraint={"external_reference": "ERP-1"},
            matching={"external_reference": "ERP-1"},
            other={"external_reference": "ERP-2"},
        ),
        references=(
            ReferenceCase(
                "account",
                target="accounts",
                payload=lambda pk: {"account": pk},
                error_field="account",
            ),
        ),
    )
)
