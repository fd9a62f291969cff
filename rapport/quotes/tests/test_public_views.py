"""The customer's pages of a quote (/q/<token>/): no login, CSRF protected, in the quote's
language, and a clear page with the right status for every link that cannot be answered."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from rapport.opportunities.choices import StageKind
from rapport.opportunities.models import Opportunity
from rapport.orders.models import Order
from rapport.quotes import public_views
from rapport.quotes.acceptance import quote_decline, quote_link_token
from rapport.quotes.choices import QuoteLanguage, QuoteStatus
from rapport.quotes.models import Quote
from rapport.quotes.tests.document_data import quote_with_lines

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_counters(settings, tmp_path):
    """Rate-limit counters of this test only (they are per client address and minute)."""
    settings.RAPPORT_RATE_COUNTERS = "sqlite"
    settings.RAPPORT_COUNTERS_PATH = str(tmp_path / "counters.sqlite3")


def customer() -> Client:
    return Client(enforce_csrf_checks=True)


def open_page(client: Client, token: str) -> tuple[int, str]:
    response = client.get(f"/q/{token}/")
    return response.status_code, response.content.decode()


def post_form(client: Client, token: str, kind: str, data: dict[str, str]):
    """Post the accept or decline form the way a browser does: with the CSRF token of the
    page it came from."""
    client.get(f"/q/{token}/")
    if "csrftoken" not in client.cookies:  # a refusal page has no form: a cookie of before
        client.cookies["csrftoken"] = "k" * 32
    csrf = client.cookies["csrftoken"].value
    return client.post(f"/q/{token}/{kind}/", {**data, "csrfmiddlewaretoken": csrf})


def state(quote: Quote) -> tuple[str, int, int]:
    quote.refresh_from_db()
    stage = Opportunity.objects.get(pk=quote.opportunity_id).stage_id
    return quote.status, Order.objects.filter(quote=quote).count(), stage


def test_the_link_shows_the_quote_with_both_forms(personas):
    # given a sent quote and its link
    quote = quote_with_lines(personas.owner)
    token = quote_link_token(quote)

    # when the customer opens it (not signed in)
    status, page = open_page(customer(), token)

    # then the quote is shown with its total, the PDF link and the two forms, CSRF-protected
    assert status == 200
    assert f"Quote {quote.number}" in page
    assert "USD 1,185.60" in page
    assert f'href="/q/{token}/pdf/"' in page
    assert f'action="/q/{token}/accept/"' in page
    assert f'action="/q/{token}/decline/"' in page
    assert page.count('name="csrfmiddlewaretoken"') == 2
    assert '<label for="accept-name">' in page
    assert '<label for="decline-reason">' in page
    assert 'name="viewport"' in page


def test_a_chinese_quote_page_is_in_chinese(personas):
    # given a sent quote in Simplified Chinese
    quote = quote_with_lines(personas.owner, language=QuoteLanguage.CHINESE)

    # when the customer opens its link
    status, page = open_page(customer(), quote_link_token(quote))

    # then the page is in Chinese
    assert status == 200
    assert '<html lang="zh-hans"' in page
    for text in ("报价单", "数量", "单价", "总计", "上海星辰科技有限公司"):
        assert text in page


def test_the_pdf_downloads_from_the_link(personas):
    # given a sent quote and its link
    quote = quote_with_lines(personas.owner)

    # when the customer downloads the PDF
    response = customer().get(f"/q/{quote_link_token(quote)}/pdf/")

    # then it is the quote's PDF
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


def test_accepting_on_the_page_makes_the_order(personas):
    # given a sent quote and its link
    quote = quote_with_lines(personas.owner)
    token = quote_link_token(quote)

    # when the customer types their name and accepts
    response = post_form(customer(), token, "accept", {"name": "Jane Doe"})

    # then a thank-you page names the order; the quote is accepted and the opportunity won
    order = Order.objects.get(quote=quote)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Thank you: you accepted the quote." in body
    assert f"Your order number is {order.number}." in body
    assert state(quote)[:2] == (QuoteStatus.ACCEPTED, 1)
    assert Opportunity.objects.get(pk=quote.opportunity_id).stage.kind == StageKind.WON


def test_declining_on_the_page(personas):
    # given a sent quote and its link
    quote = quote_with_lines(personas.owner)
    token = quote_link_token(quote)

    # when the customer declines it with a reason
    response = post_form(customer(), token, "decline", {"reason": "Budget cut"})

    # then it is declined with the reason
    assert response.status_code == 200
    assert "you declined the quote" in response.content.decode()
    quote.refresh_from_db()
    assert (quote.status, quote.decline_reason) == (QuoteStatus.DECLINED, "Budget cut")


def test_a_post_without_the_csrf_token_is_refused(personas):
    # given a sent quote and its link
    quote = quote_with_lines(personas.owner)
    before = state(quote)

    # when a form is posted to it from elsewhere (no CSRF token)
    response = customer().post(f"/q/{quote_link_token(quote)}/accept/", {"name": "Mallory"})

    # then it is forbidden and nothing changed
    assert response.status_code == 403
    assert state(quote) == before


def test_accepting_without_a_name_shows_the_form_again(personas):
    # given a sent quote and its link
    quote = quote_with_lines(personas.owner)
    before = state(quote)

    # when the customer accepts without typing their name
    response = post_form(customer(), quote_link_token(quote), "accept", {"name": " "})

    # then the page comes back with the field marked, and nothing changed
    assert response.status_code == 400
    body = response.content.decode()
    assert 'aria-invalid="true" aria-describedby="accept-name-err"' in body
    assert "Please type your full name to accept." in body
    assert state(quote) == before


def test_an_expired_link_gets_a_gone_page(personas):
    # given a quote whose validity ended yesterday
    quote = quote_with_lines(
        personas.owner, valid_until=timezone.localdate() - dt.timedelta(days=1)
    )
    token = quote_link_token(quote)
    before = state(quote)

    # when the customer opens the link and tries to accept
    status, page = open_page(customer(), token)
    accepted = post_form(customer(), token, "accept", {"name": "Jane Doe"})

    # then both answer 410 with the reason, and nothing changed
    assert status == accepted.status_code == 410
    assert "This link has expired" in page
    assert 'data-reason="expired"' in page
    assert state(quote) == before


def test_a_tampered_link_gets_a_not_found_page(personas):
    # given a sent quote and a link with an altered signature
    quote = quote_with_lines(personas.owner)
    token = quote_link_token(quote)
    tampered = token[:-2] + ("xy" if not token.endswith("xy") else "yz")
    before = state(quote)

    # when it is opened, and posted to with a valid CSRF token
    status, page = open_page(customer(), tampered)
    forged = customer()
    forged.get(f"/q/{token}/")
    csrf = forged.cookies["csrftoken"].value
    posted = forged.post(f"/q/{tampered}/accept/", {"name": "x", "csrfmiddlewaretoken": csrf})

    # then both answer 404 with a clear message, and nothing changed
    assert status == posted.status_code == 404
    assert "This link is not valid" in page
    assert state(quote) == before


def test_an_answered_quote_gets_a_conflict_page(personas):
    # given a quote the customer declined
    quote = quote_with_lines(personas.owner)
    token = quote_link_token(quote)
    quote_decline(token=token, reason="")
    before = state(quote)

    # when the link is opened and used to accept
    status, page = open_page(customer(), token)
    accepted = post_form(customer(), token, "accept", {"name": "Jane Doe"})

    # then 409 saying it was already declined, the PDF still offered; nothing changed
    assert status == accepted.status_code == 409
    assert "This quote was already declined on" in page
    assert f'href="/q/{token}/pdf/"' in page
    assert state(quote) == before


def test_too_many_answers_from_one_address_are_refused(personas, monkeypatch):
    # given a limit of two answers a minute per address
    monkeypatch.setattr(public_views, "ANSWERS_PER_MINUTE", 2)
    quote = quote_with_lines(personas.owner)
    token = quote_link_token(quote)
    client = customer()

    # when one address posts three answers in a row (the first two are invalid: no name)
    codes = [post_form(client, token, "accept", {"name": ""}).status_code for _ in range(3)]

    # then the third is refused as too many, with a time to wait; nothing changed
    assert codes == [400, 400, 429]
    assert state(quote)[:2] == (QuoteStatus.SENT, 0)


def test_an_acceptance_the_company_must_resolve_is_explained(personas):
    # given a sent quote whose discount needs an approval it never had
    quote = quote_with_lines(personas.owner)
    quote.lines.filter(position=1).update(discount_percent=Decimal(60))
    before = state(quote)

    # when the customer accepts on the page
    response = post_form(customer(), quote_link_token(quote), "accept", {"name": "Jane Doe"})

    # then the page says why and whom to contact; nothing changed
    assert response.status_code == 400
    body = response.content.decode()
    assert "approval before an order is made." in body
    assert "Please contact Rapport." in body
    assert state(quote) == before
