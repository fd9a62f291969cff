"""Quotes: defaults from the opportunity, lines priced from the price book, stored totals,
bad input refused with the field named, no edits after draft, versions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from conftest import client_for
from rapport.core.models import ChangeLogEntry
from rapport.framework.actor import Actor
from rapport.framework.registry import get_record_type
from rapport.framework.services import record_create
from rapport.framework.testing.access import assert_unchanged, record_state
from rapport.quotes.choices import QuoteStatus
from rapport.quotes.models import Quote, QuoteLine
from rapport.quotes.services import quote_revise

pytestmark = pytest.mark.django_db


def errors_of(response: Any) -> dict[str, str]:
    return {e["field"]: e["code"] for e in response.json()["errors"]}


def messages_of(response: Any) -> dict[str, str]:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def quote_for(
    world: Any, user: Any, lines: list[dict[str, Any]] | None = None, *, priced: bool = True
) -> Quote:
    created = record_create(
        actor=Actor(user=user),
        record_type=get_record_type("quotes"),
        data={"opportunity": world.opportunity, "price_book": world.book if priced else None},
        children={
            "lines": lines
            if lines is not None
            else [
                {"product": world.seat, "quantity": Decimal(3)},
                {
                    "description": "Set-up",
                    "quantity": Decimal(1),
                    "unit_price": Decimal(200),
                    "discount_percent": Decimal(10),
                },
            ]
        },
    )
    assert isinstance(created, Quote)
    return created


def test_quote_from_an_opportunity_is_priced_from_the_price_book(world: Any, personas: Any) -> None:
    # given an opportunity of the owner and a USD price book with a seat at 49.99 + 20 % VAT
    payload = {
        "opportunity": world.opportunity.pk,
        "price_book": world.book.pk,
        "lines": [
            {"product": world.seat.pk, "quantity": "3"},
            {
                "description": "Set-up",
                "quantity": "1",
                "unit_price": "200",
                "discount_percent": "10",
            },
        ],
    }
    # when the owner creates a quote with a product line without price and a set-up line
    response = client_for(personas.owner).post("/api/quotes/", payload, format="json")
    # then account, currency, recipient and name come from the opportunity, it gets a number
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["account"] == world.opportunity.account_id
    assert body["currency"] == "USD"
    assert body["contact"] == world.opportunity.primary_contact_id
    assert body["name"] == world.opportunity.name
    assert body["number"] == "Q-2026-00001"
    assert (body["version"], body["status"]) == (1, "draft")
    # and the seat is priced from the book with the product's tax rate
    seat, setup = body["lines"]
    assert seat["unit_price"] == "49.9900"
    assert seat["description"] == "CRM seat"
    assert seat["tax_rate"] == world.vat.pk
    assert (seat["net_amount"], seat["tax_amount"], seat["total_amount"]) == (
        "149.9700",
        "29.9900",  # 29.994 rounded half up to cents
        "179.9600",
    )
    assert (setup["net_amount"], setup["tax_amount"], setup["total_amount"]) == (
        "180.0000",
        "0.0000",
        "180.0000",
    )
    # and the stored totals are the sums of the lines
    assert (body["subtotal"], body["discount_total"], body["tax_total"], body["total"]) == (
        "349.9700",
        "20.0000",
        "29.9900",
        "359.9600",
    )


def test_the_next_quote_gets_the_next_number(world: Any, personas: Any) -> None:
    first = quote_for(world, personas.owner)
    second = quote_for(world, personas.owner)
    assert (first.number, second.number) == ("Q-2026-00001", "Q-2026-00002")


def test_totals_follow_every_change_of_the_lines(world: Any, personas: Any) -> None:
    # given a quote with two lines
    quote = quote_for(world, personas.owner)
    # when the owner replaces its lines with one line of 2 x 10.005
    response = client_for(personas.owner).patch(
        f"/api/quotes/{quote.pk}/",
        {"lines": [{"description": "Widget", "quantity": "2", "unit_price": "10.005"}]},
        format="json",
    )
    # then the stored totals are those of the new line (20.01)
    assert response.status_code == 200, response.content
    quote.refresh_from_db()
    assert (quote.subtotal, quote.discount_total, quote.tax_total, quote.total) == (
        Decimal("20.01"),
        Decimal(0),
        Decimal(0),
        Decimal("20.01"),
    )
    assert QuoteLine.objects.filter(quote=quote).count() == 1


def test_yen_quotes_are_rounded_to_whole_yen(world: Any, personas: Any) -> None:
    from rapport.framework.testing.factories import currency

    jpy = currency("JPY")
    jpy.decimals = 0
    jpy.save()
    world.opportunity.currency = jpy
    world.opportunity.save()
    quote = quote_for(
        world,
        personas.owner,
        [{"description": "Tea", "quantity": Decimal(3), "unit_price": Decimal("333.5")}],
        priced=False,
    )
    quote.refresh_from_db()
    assert quote.currency_id == "JPY"
    assert quote.total == Decimal(1001)  # 1000.5 → 1001


# --- bad input: refused with the field named, nothing changed ------------------------------


@pytest.mark.parametrize(
    ("line", "field", "code"),
    [
        ({"quantity": "-1"}, "lines.0.quantity", "negative_quantity"),
        ({"discount_percent": "100.5"}, "lines.0.discount_percent", "discount_over_100"),
        ({"currency": "EUR"}, "lines.0.currency", "currency_mismatch"),
    ],
    ids=["negative quantity", "discount over 100 %", "line in another currency"],
)
def test_bad_lines_are_refused_and_nothing_changes(
    world: Any, personas: Any, line: dict[str, str], field: str, code: str
) -> None:
    # given a quote with two lines
    quote = quote_for(world, personas.owner)
    before = record_state(quote)
    count = Quote.objects.count()
    # when the owner sends a line with bad input, through the API
    good = {"description": "Widget", "quantity": "2", "unit_price": "10"}
    response = client_for(personas.owner).patch(
        f"/api/quotes/{quote.pk}/", {"lines": [{**good, **line}]}, format="json"
    )
    # then it is refused with a reason naming the line's field, and nothing changed
    assert response.status_code == 400, response.content
    assert errors_of(response) == {field: code}
    assert_unchanged(quote, before)
    assert Quote.objects.count() == count
    # and a new quote with the same line is refused too, without a quote being created
    response = client_for(personas.owner).post(
        "/api/quotes/",
        {"opportunity": world.opportunity.pk, "lines": [{**good, **line}]},
        format="json",
    )
    assert response.status_code == 400
    assert errors_of(response) == {field: code}
    assert Quote.objects.count() == count


def test_the_currency_mismatch_message_names_both_currencies(world: Any, personas: Any) -> None:
    response = client_for(personas.owner).post(
        "/api/quotes/",
        {
            "opportunity": world.opportunity.pk,
            "lines": [{"description": "X", "quantity": "1", "unit_price": "1", "currency": "EUR"}],
        },
        format="json",
    )
    assert messages_of(response) == {
        "lines.0.currency": "The line is in EUR but the quote is in USD."
    }


def test_a_price_book_in_another_currency_is_refused(world: Any, personas: Any) -> None:
    response = client_for(personas.owner).post(
        "/api/quotes/",
        {"opportunity": world.opportunity.pk, "price_book": world.eur_book.pk},
        format="json",
    )
    assert response.status_code == 400
    assert errors_of(response) == {"price_book": "currency_mismatch"}
    assert Quote.objects.count() == 0


def test_a_product_without_a_price_needs_one(world: Any, personas: Any) -> None:
    from rapport.catalog.models import Product

    unpriced = Product.objects.create(sku="X-1", name="Unpriced")
    response = client_for(personas.owner).post(
        "/api/quotes/",
        {
            "opportunity": world.opportunity.pk,
            "price_book": world.book.pk,
            "lines": [{"product": unpriced.pk, "quantity": "1"}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert errors_of(response) == {"lines.0.unit_price": "no_price"}
    assert Quote.objects.count() == 0


def test_both_kinds_of_discount_on_one_line_are_refused(world: Any, personas: Any) -> None:
    response = client_for(personas.owner).post(
        "/api/quotes/",
        {
            "opportunity": world.opportunity.pk,
            "lines": [
                {
                    "description": "X",
                    "quantity": "1",
                    "unit_price": "10",
                    "discount_percent": "5",
                    "discount_amount": "1",
                }
            ],
        },
        format="json",
    )
    assert errors_of(response) == {"lines.0.discount_amount": "two_discounts"}
    assert Quote.objects.count() == 0


def test_the_account_must_be_the_opportunitys(world: Any, personas: Any) -> None:
    from rapport.framework.testing.factories import AccountFactory

    elsewhere = AccountFactory(owner=personas.owner)
    response = client_for(personas.owner).post(
        "/api/quotes/",
        {"opportunity": world.opportunity.pk, "account": elsewhere.pk},
        format="json",
    )
    assert errors_of(response) == {"account": "account_mismatch"}
    assert Quote.objects.count() == 0


def test_a_quote_that_is_not_a_draft_cannot_be_edited(world: Any, personas: Any) -> None:
    # given a quote awaiting approval
    quote = quote_for(world, personas.owner)
    Quote.objects.filter(pk=quote.pk).update(status=QuoteStatus.PENDING_APPROVAL)
    before = record_state(quote)
    client = client_for(personas.owner)
    # when the owner changes a field, or its lines
    by_field = client.patch(f"/api/quotes/{quote.pk}/", {"terms": "Net 10"}, format="json")
    by_lines = client.patch(
        f"/api/quotes/{quote.pk}/",
        {"lines": [{"description": "X", "quantity": "1", "unit_price": "1"}]},
        format="json",
    )
    # then both are refused with the reason, and nothing changed
    assert by_field.status_code == by_lines.status_code == 400
    assert errors_of(by_field) == {"status": "quote_not_editable"}
    assert messages_of(by_field)["status"] == (
        "This quote is awaiting approval and can no longer be edited. Make a new version "
        "(Revise) to change it."
    )
    assert errors_of(by_lines) == {"status": "quote_not_editable"}
    assert_unchanged(quote, before)


# --- versions ------------------------------------------------------------------------------


def test_revising_makes_a_new_draft_version_with_the_lines(world: Any, personas: Any) -> None:
    # given a sent quote with two lines
    quote = quote_for(world, personas.owner)
    Quote.objects.filter(pk=quote.pk).update(status=QuoteStatus.SENT)
    quote.refresh_from_db()
    # when the owner revises it through the API
    response = client_for(personas.owner).post(f"/api/quotes/{quote.pk}/revise/")
    # then version 2 is a draft with the same number, lines and totals, linked to version 1
    assert response.status_code == 201, response.content
    new = Quote.objects.get(pk=response.json()["id"])
    assert (new.number, new.version, new.status) == (quote.number, 2, QuoteStatus.DRAFT)
    assert new.previous_version_id == quote.pk
    assert new.total == quote.total == Decimal("359.96")
    assert [(line.description, line.quantity, line.unit_price) for line in new.lines.all()] == [
        (line.description, line.quantity, line.unit_price) for line in quote.lines.all()
    ]
    # and version 1 is superseded, which the change log records
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.SUPERSEDED
    entry = ChangeLogEntry.objects.filter(object_id=str(quote.pk), action="update").latest("pk")
    assert entry.after == {"status": "superseded"}
    # and a superseded version cannot be revised again
    again = client_for(personas.owner).post(f"/api/quotes/{quote.pk}/revise/")
    assert again.status_code == 400
    assert errors_of(again) == {"status": "superseded"}
    assert Quote.objects.count() == 2


def test_an_accepted_quote_cannot_be_revised(world: Any, personas: Any) -> None:
    quote = quote_for(world, personas.owner)
    Quote.objects.filter(pk=quote.pk).update(status=QuoteStatus.ACCEPTED)
    quote.refresh_from_db()
    before = record_state(quote)
    with pytest.raises(Exception) as caught:
        quote_revise(actor=Actor(user=personas.owner), quote=quote)
    assert caught.value.message_dict == {  # type: ignore[attr-defined]
        "status": ["The customer accepted this quote; it cannot be revised."]
    }
    assert_unchanged(quote, before)
    assert Quote.objects.count() == 1


def test_someone_who_cannot_change_the_quote_cannot_revise_it(world: Any, personas: Any) -> None:
    # given the owner's quote, which the other user cannot see
    quote = quote_for(world, personas.owner)
    before = record_state(quote)
    # when they try to revise it
    response = client_for(personas.other).post(f"/api/quotes/{quote.pk}/revise/")
    # then it is not found for them and nothing changed
    assert response.status_code == 404
    assert_unchanged(quote, before)
    assert Quote.objects.count() == 1


def test_changing_the_currency_without_the_lines_is_refused(world: Any, personas: Any) -> None:
    # given a USD quote with lines, without a price book
    quote = quote_for(
        world,
        personas.owner,
        [{"description": "X", "quantity": Decimal(1), "unit_price": Decimal(10)}],
        priced=False,
    )
    before = record_state(quote)
    client = client_for(personas.owner)
    # when the owner switches it to EUR without its lines, it is refused
    response = client.patch(f"/api/quotes/{quote.pk}/", {"currency": "EUR"}, format="json")
    assert response.status_code == 400
    assert errors_of(response) == {"currency": "currency_mismatch"}
    assert_unchanged(quote, before)
    # and with its lines (in the new currency by default) it is accepted
    response = client.patch(
        f"/api/quotes/{quote.pk}/",
        {"currency": "EUR", "lines": [{"description": "X", "quantity": "1", "unit_price": "9"}]},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["lines"][0]["currency"] == "EUR"
    assert response.json()["total"] == "9.0000"
