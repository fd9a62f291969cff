"""Orders: made from quotes, priced lines, status transitions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from conftest import client_for
from rapport.framework.actor import Actor
from rapport.framework.testing.access import assert_unchanged, record_state
from rapport.orders.choices import OrderStatus
from rapport.orders.models import Order
from rapport.orders.services import order_create_from_quote, order_set_status
from rapport.orders.tests.factories import OrderFactory
from rapport.quotes.choices import QuoteStatus
from rapport.quotes.models import Quote
from rapport.quotes.tests.test_quotes import errors_of, quote_for

pytestmark = pytest.mark.django_db


def sent_quote(world: Any, user: Any, lines: list[dict[str, Any]] | None = None) -> Quote:
    quote = quote_for(world, user, lines)
    Quote.objects.filter(pk=quote.pk).update(status=QuoteStatus.SENT)
    quote.refresh_from_db()
    return quote


def test_an_order_from_a_quote_copies_lines_totals_and_links(world: Any, personas: Any) -> None:
    # given a sent quote with a priced seat line and a discounted set-up line
    quote = sent_quote(world, personas.owner)
    # when an order is made from it
    order = order_create_from_quote(actor=Actor(user=personas.owner), quote=quote)
    # then it is confirmed today, linked to the quote, its opportunity, account and recipient
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert order.order_date == timezone.localdate()
    assert order.number == f"O-{timezone.localdate().year}-00001"
    assert (order.quote_id, order.opportunity_id, order.account_id, order.contact_id) == (
        quote.pk,
        quote.opportunity_id,
        quote.account_id,
        quote.contact_id,
    )
    assert (order.owner, order.team, order.currency_id) == (quote.owner, quote.team, "USD")
    # and its lines and totals are the quote's
    assert [
        (line.description, line.quantity, line.unit_price, line.net_amount, line.tax_amount)
        for line in order.lines.all()
    ] == [
        (line.description, line.quantity, line.unit_price, line.net_amount, line.tax_amount)
        for line in quote.lines.all()
    ]
    assert order.lines.get(position=1).discount_amount == Decimal(20)
    assert (order.subtotal, order.discount_total, order.tax_total, order.total) == (
        quote.subtotal,
        quote.discount_total,
        quote.tax_total,
        quote.total,
    )
    assert order.total == Decimal("359.96")


@pytest.mark.parametrize(
    "lines",
    [
        [
            {
                "description": "A",
                "quantity": Decimal("3"),
                "unit_price": Decimal("0.335"),
                "discount_percent": Decimal("13.3333"),
            }
        ],
        [
            {
                "description": "B",
                "quantity": Decimal("7.5"),
                "unit_price": Decimal("19.99"),
                "discount_amount": Decimal("0.005"),
            },
            {"description": "C", "quantity": Decimal("1"), "unit_price": Decimal("0.005")},
        ],
    ],
)
def test_order_totals_equal_quote_totals_after_rounding(
    world: Any, personas: Any, lines: list[dict[str, Any]]
) -> None:
    quote = sent_quote(world, personas.owner, lines)
    order = order_create_from_quote(actor=Actor(user=personas.owner), quote=quote)
    order.refresh_from_db()
    assert (order.subtotal, order.discount_total, order.tax_total, order.total) == (
        quote.subtotal,
        quote.discount_total,
        quote.tax_total,
        quote.total,
    )


def test_a_quote_gets_one_order_only(world: Any, personas: Any) -> None:
    # given a quote that already has an order
    quote = sent_quote(world, personas.owner)
    first = order_create_from_quote(actor=Actor(user=personas.owner), quote=quote)
    before = record_state(first)
    # when another order is made from it
    with pytest.raises(ValidationError) as caught:
        order_create_from_quote(actor=Actor(user=personas.owner), quote=quote)
    # then it is refused, naming the existing order, and nothing changed
    assert caught.value.message_dict == {
        "quote": [f"This quote already has the order {first.number}."]
    }
    assert Order.objects.count() == 1
    assert_unchanged(first, before)


@pytest.mark.parametrize(
    "status", [QuoteStatus.DRAFT, QuoteStatus.SUPERSEDED, QuoteStatus.DECLINED]
)
def test_no_order_from_a_draft_or_dead_quote(world: Any, personas: Any, status: str) -> None:
    quote = quote_for(world, personas.owner)
    Quote.objects.filter(pk=quote.pk).update(status=status)
    quote.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        order_create_from_quote(actor=Actor(user=personas.owner), quote=quote)
    assert caught.value.error_dict["status"][0].code == "quote_not_orderable"
    assert Order.objects.count() == 0


def test_no_order_while_the_discount_awaits_approval(world: Any, personas: Any) -> None:
    quote = sent_quote(
        world,
        personas.owner,
        [
            {
                "description": "X",
                "quantity": Decimal(1),
                "unit_price": Decimal(100),
                "discount_percent": Decimal(50),
            }
        ],
    )
    with pytest.raises(ValidationError) as caught:
        order_create_from_quote(actor=Actor(user=personas.owner), quote=quote)
    assert caught.value.error_dict["status"][0].code == "approval_required"
    assert Order.objects.count() == 0


def test_orders_created_through_the_api_are_priced_and_numbered(world: Any, personas: Any) -> None:
    response = client_for(personas.owner).post(
        "/api/orders/",
        {
            "account": world.opportunity.account_id,
            "currency": "USD",
            "lines": [
                {
                    "description": "Licences",
                    "quantity": "3",
                    "unit_price": "40.005",
                    "tax_percent": "10",
                },
                {
                    "description": "Training",
                    "quantity": "1",
                    "unit_price": "500",
                    "discount_amount": "50",
                },
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"] == f"O-{timezone.localdate().year}-00001"
    assert (body["status"], body["order_date"]) == ("draft", timezone.localdate().isoformat())
    assert [line["net_amount"] for line in body["lines"]] == ["120.0200", "450.0000"]
    assert (body["subtotal"], body["discount_total"], body["tax_total"], body["total"]) == (
        "620.0200",
        "50.0000",
        "12.0000",
        "582.0200",
    )


def test_a_negative_quantity_on_an_order_line_is_refused(world: Any, personas: Any) -> None:
    order = OrderFactory(owner=personas.owner, status=OrderStatus.DRAFT)
    before = record_state(order)
    response = client_for(personas.owner).patch(
        f"/api/orders/{order.pk}/",
        {"lines": [{"description": "X", "quantity": "-2", "unit_price": "1"}]},
        format="json",
    )
    assert response.status_code == 400
    assert set(errors_of(response)) == {"lines.0.quantity"}
    assert_unchanged(order, before)


def test_hand_written_totals_must_add_up(world: Any, personas: Any) -> None:
    response = client_for(personas.owner).post(
        "/api/orders/",
        {
            "account": world.opportunity.account_id,
            "currency": "USD",
            "subtotal": "100",
            "discount_total": "10",
            "tax_total": "5",
            "total": "100",
        },
        format="json",
    )
    assert response.status_code == 400
    assert errors_of(response) == {"total": "totals_mismatch"}
    assert Order.objects.count() == 0


# --- status ---------------------------------------------------------------------------------


def test_an_order_goes_from_draft_to_confirmed_to_fulfilled(personas: Any) -> None:
    # given a draft order
    order = OrderFactory(owner=personas.owner, status=OrderStatus.DRAFT)
    client = client_for(personas.owner)
    # when the owner confirms it, then fulfils it through the API
    confirmed = client.post(f"/api/orders/{order.pk}/set-status/", {"status": "confirmed"})
    fulfilled = client.post(f"/api/orders/{order.pk}/set-status/", {"status": "fulfilled"})
    # then it is fulfilled today
    assert confirmed.status_code == fulfilled.status_code == 200
    assert fulfilled.json()["status"] == "fulfilled"
    assert fulfilled.json()["fulfilled_on"] == timezone.localdate().isoformat()


@pytest.mark.parametrize("start", [OrderStatus.DRAFT, OrderStatus.CONFIRMED])
def test_a_draft_or_confirmed_order_can_be_cancelled(personas: Any, start: str) -> None:
    order = OrderFactory(owner=personas.owner, status=start)
    updated = order_set_status(
        actor=Actor(user=personas.owner), order=order, status=OrderStatus.CANCELLED
    )
    assert (updated.status, updated.cancelled_on) == ("cancelled", timezone.localdate())


@pytest.mark.parametrize(
    ("start", "target", "message"),
    [
        ("fulfilled", "cancelled", "An order cannot go from fulfilled to cancelled."),
        ("cancelled", "confirmed", "An order cannot go from cancelled to confirmed."),
        ("draft", "fulfilled", "An order cannot go from draft to fulfilled."),
        ("confirmed", "draft", "An order cannot go from confirmed to draft."),
    ],
)
def test_invalid_transitions_are_refused_and_change_nothing(
    personas: Any, start: str, target: str, message: str
) -> None:
    # given an order in ``start``
    order = OrderFactory(owner=personas.owner, status=start)
    before = record_state(order)
    # when the owner moves it to ``target``, through the action or a plain update
    by_action = client_for(personas.owner).post(
        f"/api/orders/{order.pk}/set-status/", {"status": target}
    )
    by_patch = client_for(personas.owner).patch(
        f"/api/orders/{order.pk}/", {"status": target}, format="json"
    )
    # then both are refused with the reason, and nothing changed
    for response in (by_action, by_patch):
        assert response.status_code == 400
        assert response.json()["errors"] == [
            {"field": "status", "code": "invalid_transition", "message": message}
        ]
    assert_unchanged(order, before)


def test_a_fulfilled_order_cannot_be_edited(personas: Any) -> None:
    order = OrderFactory(
        owner=personas.owner, status=OrderStatus.FULFILLED, fulfilled_on=dt.date(2026, 11, 3)
    )
    before = record_state(order)
    client = client_for(personas.owner)
    by_field = client.patch(f"/api/orders/{order.pk}/", {"total": "5"}, format="json")
    by_lines = client.patch(
        f"/api/orders/{order.pk}/",
        {"lines": [{"description": "X", "quantity": "1", "unit_price": "1"}]},
        format="json",
    )
    assert errors_of(by_field) == {"status": "order_closed"}
    assert errors_of(by_lines) == {"lines": "order_closed"}
    assert_unchanged(order, before)
    # a note may still be added
    assert (
        client.patch(
            f"/api/orders/{order.pk}/", {"description": "Late delivery"}, format="json"
        ).status_code
        == 200
    )


def test_someone_who_may_not_change_the_order_cannot_move_it(personas: Any) -> None:
    order = OrderFactory(owner=personas.owner, team=personas.team, status=OrderStatus.CONFIRMED)
    before = record_state(order)
    teammate = client_for(personas.teammate).post(
        f"/api/orders/{order.pk}/set-status/", {"status": "cancelled"}
    )
    outsider = client_for(personas.other).post(
        f"/api/orders/{order.pk}/set-status/", {"status": "cancelled"}
    )
    assert (teammate.status_code, outsider.status_code) == (403, 404)
    assert_unchanged(order, before)


def test_the_quote_api_action_makes_the_order(world: Any, personas: Any) -> None:
    quote = sent_quote(world, personas.owner)
    response = client_for(personas.owner).post(f"/api/quotes/{quote.pk}/order/")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["quote"], body["status"], body["total"]) == (quote.pk, "confirmed", "359.9600")
    assert [line["net_amount"] for line in body["lines"]] == ["149.9700", "180.0000"]


def test_who_may_only_see_the_quote_cannot_make_its_order(world: Any, personas: Any) -> None:
    # given the owner's sent quote, which the teammate may see but not change
    quote = sent_quote(world, personas.owner)
    before = record_state(quote)
    # when the teammate asks for its order
    response = client_for(personas.teammate).post(f"/api/quotes/{quote.pk}/order/")
    # then it is refused and nothing changed
    assert response.status_code == 403
    assert response.json()["code"] == "quote_denied"
    assert Order.objects.count() == 0
    assert_unchanged(quote, before)


def test_the_purchase_history_has_placed_orders_the_user_may_see(personas: Any) -> None:
    from rapport.orders.selectors import order_purchase_history

    # given orders of the owner in every status, and one of another user
    placed = [
        OrderFactory(owner=personas.owner, status=status, order_date=dt.date(2025, 1, day))
        for day, status in ((3, "fulfilled"), (1, "confirmed"))
    ]
    OrderFactory(owner=personas.owner, status="draft")
    OrderFactory(owner=personas.owner, status="cancelled")
    OrderFactory(owner=personas.other, status="fulfilled")
    # then the owner's history is the placed orders, oldest first
    history = order_purchase_history(user=personas.owner)
    assert list(history) == [placed[1], placed[0]]
    assert list(order_purchase_history(user=personas.owner, since=dt.date(2025, 1, 2))) == [
        placed[0]
    ]
    assert list(order_purchase_history(user=personas.owner, account_id=placed[0].account_id)) == [
        placed[0]
    ]


def test_an_opportunity_of_another_account_is_refused(world: Any, personas: Any) -> None:
    from rapport.framework.testing.factories import AccountFactory

    elsewhere = AccountFactory(owner=personas.owner)
    response = client_for(personas.owner).post(
        "/api/orders/",
        {"account": elsewhere.pk, "opportunity": world.opportunity.pk, "currency": "USD"},
        format="json",
    )
    assert response.status_code == 400
    assert errors_of(response) == {"opportunity": "account_mismatch"}
    assert Order.objects.count() == 0
