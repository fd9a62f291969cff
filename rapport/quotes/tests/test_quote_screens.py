"""The quote and order screens: the generated form and page, the workflow panel and its
buttons, and the opportunity page's lists of quotes and orders."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from rapport.orders.models import Order
from rapport.quotes.choices import QuoteStatus
from rapport.quotes.models import Quote
from rapport.quotes.tests.test_quotes import quote_for

pytestmark = pytest.mark.django_db


def signed_in(user_name: str) -> Client:
    client = Client()
    assert client.post("/login/", {"username": user_name, "password": "pw"}).status_code == 302
    return client


def test_a_quote_is_made_in_the_form_and_priced(world: Any, personas: Any) -> None:
    # when the owner fills the new-quote form with a product line without a price
    response = signed_in("owner").post(
        "/quotes/new/",
        {
            "opportunity": str(world.opportunity.pk),
            "price_book": str(world.book.pk),
            "language": "en",
            "lines-0-product": str(world.seat.pk),
            "lines-0-quantity": "2",
        },
    )
    # then the quote is saved with the book's price and the page shows its totals
    assert response.status_code == 302, response.content.decode()
    quote = Quote.objects.get()
    assert quote.total == Decimal("119.98")  # 2 x 49.99 + 20 % VAT
    page = signed_in("owner").get(response["Location"]).content.decode()
    assert "Version 1 · Draft" in page
    assert "<dd><strong>119.98 USD</strong></dd>" in page


def test_a_bad_line_in_the_form_is_shown_beside_its_field(world: Any, personas: Any) -> None:
    response = signed_in("owner").post(
        "/quotes/new/",
        {
            "opportunity": str(world.opportunity.pk),
            "language": "en",
            "lines-0-description": "Widget",
            "lines-0-quantity": "-3",
            "lines-0-unit_price": "10",
        },
    )
    assert response.status_code == 400
    assert (
        '<small class="field-error" id="f-lines-0-quantity-err" role="alert">'
        "The quantity cannot be negative.</small>"
    ) in response.content.decode()
    assert Quote.objects.count() == 0


def test_submit_approve_and_order_with_the_page_buttons(world: Any, personas: Any) -> None:
    # given a draft with a 30 % discount
    quote = quote_for(
        world,
        personas.owner,
        [
            {
                "description": "Platform",
                "quantity": Decimal(1),
                "unit_price": Decimal(1000),
                "discount_percent": Decimal(30),
            }
        ],
    )
    owner, manager = signed_in("owner"), signed_in("manager")
    url = f"/quotes/{quote.pk}/"
    # then its page says it needs approval and offers to submit it
    page = owner.get(url).content.decode()
    assert "The discount is above 20 %: a manager must approve this quote" in page
    assert f'action="/quotes/{quote.pk}/do/submit/"' in page
    assert f'action="/quotes/{quote.pk}/do/order/"' not in page
    # when the owner submits it, they cannot approve it themselves
    assert owner.post(f"/quotes/{quote.pk}/do/submit/").status_code == 302
    assert f"/quotes/{quote.pk}/do/approve/" not in owner.get(url).content.decode()
    refused = owner.post(f"/quotes/{quote.pk}/do/approve/", follow=True).content.decode()
    assert "You cannot approve or refuse your own quote." in refused
    assert Quote.objects.get(pk=quote.pk).status == QuoteStatus.PENDING_APPROVAL
    # when the manager approves it from the page
    assert f"/quotes/{quote.pk}/do/approve/" in manager.get(url).content.decode()
    manager.post(f"/quotes/{quote.pk}/do/approve/", {"note": "OK for this customer"})
    quote.refresh_from_db()
    assert (quote.status, quote.approved_by) == (QuoteStatus.APPROVED, personas.manager)
    # then the owner may make the order, and lands on its page
    assert f'action="/quotes/{quote.pk}/do/order/"' in owner.get(url).content.decode()
    response = owner.post(f"/quotes/{quote.pk}/do/order/")
    order = Order.objects.get()
    assert response["Location"] == f"/orders/{order.pk}/"
    assert order.total == Decimal(700)
    assert f'href="/orders/{order.pk}/"' in owner.get(url).content.decode()


def test_revise_from_the_page_opens_the_new_version(world: Any, personas: Any) -> None:
    quote = quote_for(world, personas.owner)
    client = signed_in("owner")
    response = client.post(f"/quotes/{quote.pk}/do/revise/")
    new = Quote.objects.get(version=2)
    assert response["Location"] == f"/quotes/{new.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Version 2 · Draft" in page
    assert f'<a href="/quotes/{quote.pk}/">{quote.number} v1</a> (Superseded)' in page


def test_a_button_on_a_quote_the_user_cannot_see_is_not_found(world: Any, personas: Any) -> None:
    quote = quote_for(world, personas.owner)
    assert signed_in("other").post(f"/quotes/{quote.pk}/do/revise/").status_code == 404
    assert Quote.objects.count() == 1


def test_order_status_buttons(world: Any, personas: Any) -> None:
    # given a confirmed order made from a quote
    from rapport.framework.actor import Actor
    from rapport.orders.services import order_create_from_quote

    quote = quote_for(world, personas.owner)
    Quote.objects.filter(pk=quote.pk).update(status=QuoteStatus.SENT)
    quote.refresh_from_db()
    order = order_create_from_quote(actor=Actor(user=personas.owner), quote=quote)
    client = signed_in("owner")
    # then its page offers fulfilment and cancellation
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert 'name="status" value="fulfilled"' in page
    assert 'name="status" value="cancelled"' in page
    assert 'name="status" value="draft"' not in page
    # when the owner marks it fulfilled
    client.post(f"/orders/{order.pk}/status/", {"status": "fulfilled"})
    order.refresh_from_db()
    assert (order.status, order.fulfilled_on) == ("fulfilled", timezone.localdate())
    # then no more transitions are offered, and a forged one is refused with the reason
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert 'name="status"' not in page
    refused = client.post(
        f"/orders/{order.pk}/status/", {"status": "cancelled"}, follow=True
    ).content.decode()
    assert "An order cannot go from fulfilled to cancelled." in refused
    assert Order.objects.get(pk=order.pk).status == "fulfilled"


def test_the_opportunity_page_lists_its_quotes_and_orders(world: Any, personas: Any) -> None:
    from rapport.framework.actor import Actor
    from rapport.orders.services import order_create_from_quote

    quote = quote_for(world, personas.owner)
    Quote.objects.filter(pk=quote.pk).update(status=QuoteStatus.SENT)
    quote.refresh_from_db()
    order = order_create_from_quote(actor=Actor(user=personas.owner), quote=quote)
    page = signed_in("owner").get(f"/opportunities/{world.opportunity.pk}/").content.decode()
    assert f'href="/quotes/{quote.pk}/"' in page
    assert f'href="/orders/{order.pk}/"' in page


def test_new_quote_from_the_opportunity_page_takes_its_product_lines(
    world: Any, personas: Any
) -> None:
    from rapport.opportunities.models import OpportunityLine

    # given an opportunity with two seats at an agreed 45.00 and a product line without price
    OpportunityLine.objects.create(
        opportunity=world.opportunity,
        product=world.seat,
        quantity=Decimal(2),
        unit_price=Decimal(45),
        position=0,
    )
    OpportunityLine.objects.create(
        opportunity=world.opportunity,
        product=world.seat,
        quantity=Decimal(1),
        position=1,
        discount_percent=Decimal(10),
    )
    client = signed_in("owner")
    # then its page links to a new-quote form for it
    page = client.get(f"/opportunities/{world.opportunity.pk}/").content.decode()
    url = f"/quotes/new/?opportunity={world.opportunity.pk}"
    assert f'href="{url}"' in page
    assert client.get(url).status_code == 200
    # when the quote is saved without lines
    response = client.post(
        "/quotes/new/",
        {
            "opportunity": str(world.opportunity.pk),
            "price_book": str(world.book.pk),
            "language": "en",
        },
    )
    # then it has the opportunity's lines, priced from the book when they had no price
    assert response.status_code == 302, response.content.decode()
    quote = Quote.objects.get()
    assert [
        (line.quantity, line.unit_price, line.discount_percent, line.net_amount)
        for line in quote.lines.all()
    ] == [
        (Decimal(2), Decimal(45), None, Decimal(90)),
        (Decimal(1), Decimal("49.99"), Decimal(10), Decimal("44.99")),
    ]
    assert quote.total == Decimal("161.99")  # 134.99 + 20 % VAT (18.00 + 9.00)
