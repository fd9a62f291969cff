"""The customer's answer through the signed link: accept (order, won), decline, and every
link that is refused with a clear reason and changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rapport.core.models import ChangeLogEntry
from rapport.framework.actor import Actor
from rapport.framework.choices import Channel
from rapport.opportunities.choices import StageKind
from rapport.opportunities.models import Opportunity
from rapport.orders.choices import OrderStatus
from rapport.orders.models import Order
from rapport.quotes.acceptance import (
    LINK_SALT,
    QuoteLinkRefused,
    quote_accept,
    quote_decline,
    quote_for_link,
    quote_link_expires_at,
    quote_link_token,
)
from rapport.quotes.choices import QuoteStatus
from rapport.quotes.models import Quote
from rapport.quotes.services import quote_revise
from rapport.quotes.tests.document_data import quote_with_lines
from rapport.workspace.choices import NotificationKind
from rapport.workspace.models import Notification

pytestmark = pytest.mark.django_db


def state(quote: Quote) -> dict[str, object]:
    """What an answer would change: the quote's status and dates, its orders, the
    opportunity's stage."""
    quote.refresh_from_db()
    opportunity = Opportunity.objects.get(pk=quote.opportunity_id)
    return {
        "status": quote.status,
        "accepted_at": quote.accepted_at,
        "declined_at": quote.declined_at,
        "decline_reason": quote.decline_reason,
        "orders": Order.objects.filter(quote=quote).count(),
        "stage": opportunity.stage_id,
    }


def answers() -> list[tuple[str, str, str, str, str]]:
    """The notifications of customers' answers: to whom, kind, record, text."""
    kinds = [NotificationKind.QUOTE_ACCEPTED, NotificationKind.QUOTE_DECLINED]
    return [
        (n.user.username, n.kind, n.record_type, n.object_id, n.text)
        for n in Notification.objects.filter(kind__in=kinds).order_by("pk")
    ]


def refusal_of(call, *args, **kwargs) -> QuoteLinkRefused:
    with pytest.raises(QuoteLinkRefused) as caught:
        call(*args, **kwargs)
    return caught.value


def test_accepting_makes_the_order_and_wins_the_opportunity(personas):
    # given a sent quote and its link
    quote = quote_with_lines(personas.owner, lines=3)
    token = quote_link_token(quote)

    # when the customer accepts it in their name
    result = quote_accept(token=token, name="  Jane   Doe ")

    # then the quote is accepted, its confirmed order has its lines and totals, and the
    # opportunity is in the pipeline's won stage
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.ACCEPTED
    assert quote.accepted_at is not None
    order = Order.objects.get(quote=quote)
    assert order == result.order
    assert order.status == OrderStatus.CONFIRMED
    assert (order.total, order.lines.count()) == (quote.total, 3)
    assert "Accepted by Jane Doe through the quote link" in order.description
    opportunity = Opportunity.objects.select_related("stage").get(pk=quote.opportunity_id)
    assert opportunity.stage.kind == StageKind.WON
    # and the changes are logged as the owner's, through the customer portal
    entries = ChangeLogEntry.objects.filter(channel=Channel.PORTAL)
    assert {e.user_id for e in entries} == {personas.owner.pk}
    assert entries.count() >= 3  # the quote, the order (created, described), the opportunity
    # and the owner is told who accepted it, on their notifications page, linked to the quote
    assert answers() == [
        ("owner", NotificationKind.QUOTE_ACCEPTED, "quotes", str(quote.pk), f"{quote} — Jane Doe")
    ]
    client = Client()
    client.force_login(personas.owner)
    page = client.get(reverse("notifications")).content.decode()
    assert "Quote accepted by the customer" in page
    assert reverse("ui:detail", kwargs={"key": "quotes", "pk": quote.pk}) in page


def test_declining_keeps_the_reason_and_leaves_the_opportunity_open(personas):
    # given a sent quote and its link
    quote = quote_with_lines(personas.owner)
    before = state(quote)

    # when the customer declines it with a reason
    quote_decline(token=quote_link_token(quote), reason=" Too expensive for this year. ")

    # then the quote is declined with the reason; no order; the opportunity did not move
    after = state(quote)
    assert after["status"] == QuoteStatus.DECLINED
    assert after["declined_at"] is not None
    assert after["decline_reason"] == "Too expensive for this year."
    assert (after["orders"], after["stage"]) == (0, before["stage"])
    # and the owner is told why
    assert answers() == [
        (
            "owner",
            NotificationKind.QUOTE_DECLINED,
            "quotes",
            str(quote.pk),
            f"{quote} — Too expensive for this year.",
        )
    ]


def test_an_expired_link_is_refused_and_changes_nothing(personas):
    # given a sent quote whose validity ended yesterday
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    quote = quote_with_lines(personas.owner, valid_until=yesterday)
    token = quote_link_token(quote)
    before = state(quote)

    # when the customer tries to accept it
    refusal = refusal_of(quote_accept, token=token, name="Jane Doe")

    # then it is refused as expired (gone), and nothing changed
    assert (refusal.code, refusal.status) == ("expired", 410)
    assert "This link has expired" in refusal.message
    assert state(quote) == before


def test_a_link_older_than_the_maximum_age_is_expired(personas, settings):
    # given a link made 31 days ago for a quote valid for 60 more days (maximum age 30)
    settings.RAPPORT_QUOTE_LINK_MAX_AGE_DAYS = 30
    quote = quote_with_lines(
        personas.owner, valid_until=timezone.localdate() + dt.timedelta(days=60)
    )
    made = timezone.now() - dt.timedelta(days=31)
    token = signing.dumps(
        {"q": quote.pk, "v": quote.version, "t": int(made.timestamp())}, salt=LINK_SALT
    )
    before = state(quote)

    # when the customer declines through it
    refusal = refusal_of(quote_decline, token=token, reason="No")

    # then it is refused as expired and nothing changed
    assert refusal.code == "expired"
    assert state(quote) == before


def test_a_link_ends_at_the_end_of_the_last_valid_day(personas, settings):
    # given a quote valid until a day in 10 days, links living 30 days
    settings.RAPPORT_QUOTE_LINK_MAX_AGE_DAYS = 30
    last_day = timezone.localdate() + dt.timedelta(days=10)
    quote = quote_with_lines(personas.owner, valid_until=last_day)

    # when the expiry of a link made now is computed
    ends = quote_link_expires_at(quote, timezone.now())

    # then it is midnight after the last valid day, local time
    assert timezone.localtime(ends) == timezone.make_aware(
        dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time())
    )


def test_a_tampered_link_is_refused_and_changes_nothing(personas):
    # given a sent quote and a link whose signed part was altered (another quote id)
    quote = quote_with_lines(personas.owner)
    token = quote_link_token(quote)
    rest = token.split(":", 1)[1]
    forged = signing.b64_encode(b'{"q":999,"v":1,"t":1}').decode() + ":" + rest
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    before = state(quote)

    # when the customer (or anyone) tries to accept through them
    refusals = [
        refusal_of(quote_accept, token=bad, name="Jane Doe")
        for bad in (forged, flipped, "not-a-token", "")
    ]

    # then each is refused as not valid (not found), and nothing changed
    assert {(r.code, r.status) for r in refusals} == {("invalid_link", 404)}
    assert "This link is not valid" in refusals[0].message
    assert state(quote) == before


def test_a_declined_quote_cannot_be_accepted(personas):
    # given a quote the customer declined
    quote = quote_with_lines(personas.owner)
    token = quote_link_token(quote)
    quote_decline(token=token, reason="Not now")
    before = state(quote)

    # when the link is used again to accept
    refusal = refusal_of(quote_accept, token=token, name="Jane Doe")

    # then it is refused as already declined (conflict), and nothing changed
    assert (refusal.code, refusal.status) == ("already_declined", 409)
    assert "already declined on" in refusal.message
    assert state(quote) == before


def test_accepting_twice_makes_one_order(personas):
    # given an accepted quote
    quote = quote_with_lines(personas.owner)
    token = quote_link_token(quote)
    quote_accept(token=token, name="Jane Doe")
    before = state(quote)

    # when it is accepted (or declined) again
    again = refusal_of(quote_accept, token=token, name="Jane Doe")
    decline = refusal_of(quote_decline, token=token, reason="changed my mind")

    # then both are refused as already accepted, and there is still one order
    assert again.code == decline.code == "already_accepted"
    assert state(quote) == before
    assert before["orders"] == 1
    # and the owner was told once
    assert [kind for _user, kind, *_rest in answers()] == [NotificationKind.QUOTE_ACCEPTED]


def test_the_link_of_a_replaced_version_is_refused(personas):
    # given a sent quote whose link was emailed, then a new version of it
    quote = quote_with_lines(personas.owner)
    token = quote_link_token(quote)
    newer = quote_revise(actor=Actor(user=personas.owner), quote=quote)
    before = state(quote)

    # when the old link is used to accept
    refusal = refusal_of(quote_accept, token=token, name="Jane Doe")

    # then it is refused as replaced, and neither version changed
    assert (refusal.code, refusal.status) == ("superseded", 410)
    assert "replaced by a newer one" in refusal.message
    assert state(quote) == before
    newer.refresh_from_db()
    assert newer.status == QuoteStatus.DRAFT


def test_the_link_of_a_quote_that_is_not_sent_is_refused(personas):
    # given a link to a quote that is back to draft (not open for an answer)
    quote = quote_with_lines(personas.owner, status=QuoteStatus.DRAFT)
    before = state(quote)

    # when it is used
    refusal = refusal_of(quote_for_link, quote_link_token(quote))

    # then it is refused as not sent, and nothing changed
    assert (refusal.code, refusal.status) == ("not_sent", 409)
    assert state(quote) == before


def test_accepting_without_a_name_is_refused(personas):
    # given a sent quote and its link
    quote = quote_with_lines(personas.owner)
    before = state(quote)

    # when the customer accepts without typing a name
    with pytest.raises(ValidationError) as caught:
        quote_accept(token=quote_link_token(quote), name="   ")

    # then the name is required, and nothing changed
    assert caught.value.error_dict["name"][0].code == "required"
    assert state(quote) == before


def test_a_quote_whose_owner_left_cannot_be_answered_online(personas):
    # given a sent quote whose owner was deactivated
    quote = quote_with_lines(personas.owner)
    token = quote_link_token(quote)
    personas.owner.is_active = False
    personas.owner.save()
    before = state(quote)

    # when the customer accepts
    refusal = refusal_of(quote_accept, token=token, name="Jane Doe")

    # then it is refused with a pointer to the company, and nothing changed
    assert (refusal.code, refusal.status) == ("owner_unavailable", 409)
    assert state(quote) == before


def test_when_the_order_cannot_be_made_nothing_of_the_acceptance_stays(personas):
    # given a sent quote whose discount needs an approval it never had (sent before the rule)
    quote = quote_with_lines(personas.owner)
    quote.lines.filter(position=1).update(discount_percent=Decimal(60))
    before = state(quote)

    # when the customer accepts
    with pytest.raises(ValidationError) as caught:
        quote_accept(token=quote_link_token(quote), name="Jane Doe")

    # then the order is refused, and the quote's acceptance was undone with it
    assert caught.value.error_dict["status"][0].code == "approval_required"
    assert state(quote) == before
    assert not ChangeLogEntry.objects.filter(channel=Channel.PORTAL).exists()
