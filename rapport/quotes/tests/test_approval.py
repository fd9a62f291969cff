"""Approval of large discounts: the threshold, who may decide, and sending only after it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from conftest import client_for
from rapport.core.models import ChangeLogEntry
from rapport.framework.actor import Actor
from rapport.framework.testing.access import assert_unchanged, record_state
from rapport.quotes.choices import QuoteStatus
from rapport.quotes.models import Quote
from rapport.quotes.services import (
    quote_needs_approval,
    quote_ready_to_send,
    quote_submit_for_approval,
)
from rapport.quotes.tests.test_quotes import errors_of, quote_for

pytestmark = pytest.mark.django_db


def discounted(world: Any, user: Any, **discount: Decimal) -> Quote:
    """A quote of one 1,000.00 line with ``discount`` (discount_percent= or
    discount_amount=)."""
    return quote_for(
        world,
        user,
        [
            {
                "description": "Platform",
                "quantity": Decimal(1),
                "unit_price": Decimal(1000),
                **discount,
            }
        ],
    )


def pending(world: Any, user: Any) -> Quote:
    quote = discounted(world, user, discount_percent=Decimal(25))
    return quote_submit_for_approval(actor=Actor(user=user), quote=quote)


@pytest.mark.parametrize(
    ("discount", "needed"),
    [
        ({"discount_percent": Decimal(20)}, False),
        ({"discount_percent": Decimal("20.01")}, True),
        ({"discount_amount": Decimal(200)}, False),
        ({"discount_amount": Decimal("200.10")}, True),
        ({}, False),
    ],
    ids=["20 %", "20.01 %", "200 of 1000", "200.10 of 1000", "none"],
)
def test_approval_is_needed_above_the_threshold(
    world: Any, personas: Any, discount: dict[str, Decimal], needed: bool
) -> None:
    quote = discounted(world, personas.owner, **discount)
    assert quote_needs_approval(quote) is needed


def test_the_threshold_is_a_setting(world: Any, personas: Any, settings: Any) -> None:
    quote = discounted(world, personas.owner, discount_percent=Decimal(15))
    assert quote_needs_approval(quote) is False
    settings.RAPPORT_QUOTE_APPROVAL_DISCOUNT_PERCENT = "10"
    assert quote_needs_approval(quote) is True


def test_a_quote_needing_approval_cannot_be_sent_until_approved(world: Any, personas: Any) -> None:
    # given a draft with a 25 % discount
    quote = discounted(world, personas.owner, discount_percent=Decimal(25))
    # then it is not ready to be sent, with the reason
    with pytest.raises(ValidationError) as caught:
        quote_ready_to_send(quote)
    assert caught.value.message_dict == {
        "status": [
            "The discount is above 20 %: a manager must approve the quote before it is sent."
        ]
    }
    assert caught.value.error_dict["status"][0].code == "approval_required"
    # when the owner submits it and the manager approves it
    client_for(personas.owner).post(f"/api/quotes/{quote.pk}/submit/")
    with pytest.raises(ValidationError):
        quote_ready_to_send(Quote.objects.get(pk=quote.pk))
    response = client_for(personas.manager).post(
        f"/api/quotes/{quote.pk}/approve/", {"note": "Strategic customer"}, format="json"
    )
    # then it is approved by the manager and may be sent
    assert response.status_code == 200, response.content
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.APPROVED
    assert quote.approved_by == personas.manager
    assert quote.approval_note == "Strategic customer"
    assert quote_ready_to_send(quote) is None
    # and the change log records who approved it
    entry = ChangeLogEntry.objects.filter(object_id=str(quote.pk)).latest("pk")
    assert entry.user == personas.manager
    assert entry.after["status"] == "approved"
    assert entry.after["approved_by"] == personas.manager.pk


def test_a_draft_within_the_threshold_is_ready_and_needs_no_submission(
    world: Any, personas: Any
) -> None:
    quote = discounted(world, personas.owner, discount_percent=Decimal(5))
    assert quote_ready_to_send(quote) is None
    before = record_state(quote)
    response = client_for(personas.owner).post(f"/api/quotes/{quote.pk}/submit/")
    assert response.status_code == 400
    assert errors_of(response) == {"status": "approval_not_needed"}
    assert_unchanged(quote, before)


def test_an_empty_quote_is_not_ready_to_send(world: Any, personas: Any) -> None:
    quote = quote_for(world, personas.owner, [])
    with pytest.raises(ValidationError) as caught:
        quote_ready_to_send(quote)
    assert caught.value.error_dict["lines"][0].code == "quote_empty"


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("owner", 403, "own_quote"),
        ("teammate", 403, "not_an_approver"),
        ("other", 404, None),
    ],
)
@pytest.mark.parametrize("action", ["approve", "reject"])
def test_only_someone_above_the_owner_may_decide(
    world: Any, personas: Any, who: str, status: int, code: str | None, action: str
) -> None:
    # given a quote of the owner awaiting approval
    quote = pending(world, personas.owner)
    before = record_state(quote)
    # when the owner, a teammate (same team, same level) or an outsider decides
    response = client_for(getattr(personas, who)).post(
        f"/api/quotes/{quote.pk}/{action}/", {"note": "No"}, format="json"
    )
    # then it is refused and nothing changed
    assert response.status_code == status
    if code:
        assert response.json()["code"] == code
    assert_unchanged(quote, before)


def test_an_administrator_may_approve(world: Any, personas: Any) -> None:
    quote = pending(world, personas.owner)
    response = client_for(personas.admin).post(f"/api/quotes/{quote.pk}/approve/")
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    assert response.json()["approved_by"] == personas.admin.pk


def test_refusing_needs_a_reason_and_records_it(world: Any, personas: Any) -> None:
    # given a quote awaiting approval
    quote = pending(world, personas.owner)
    before = record_state(quote)
    client = client_for(personas.manager)
    # when the manager refuses it without a reason, then with one
    without = client.post(f"/api/quotes/{quote.pk}/reject/", {"note": "  "}, format="json")
    assert without.status_code == 400
    assert errors_of(without) == {"note": "required"}
    assert_unchanged(quote, before)
    response = client.post(
        f"/api/quotes/{quote.pk}/reject/", {"note": "25 % is too much"}, format="json"
    )
    # then it is refused with the reason, and cannot be sent
    assert response.status_code == 200
    quote.refresh_from_db()
    assert (quote.status, quote.approval_note, quote.approved_by) == (
        QuoteStatus.REJECTED,
        "25 % is too much",
        None,
    )
    with pytest.raises(ValidationError):
        quote_ready_to_send(quote)


def test_only_a_quote_awaiting_approval_can_be_approved(world: Any, personas: Any) -> None:
    quote = discounted(world, personas.owner, discount_percent=Decimal(25))
    before = record_state(quote)
    response = client_for(personas.manager).post(f"/api/quotes/{quote.pk}/approve/")
    assert response.status_code == 400
    assert errors_of(response) == {"status": "invalid_status"}
    assert_unchanged(quote, before)


def test_submitting_twice_is_refused(world: Any, personas: Any) -> None:
    quote = pending(world, personas.owner)
    before = record_state(quote)
    response = client_for(personas.owner).post(f"/api/quotes/{quote.pk}/submit/")
    assert response.status_code == 400
    assert errors_of(response) == {"status": "invalid_status"}
    assert_unchanged(quote, before)
