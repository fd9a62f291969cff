"""Sending a quote: the email (real SMTP server on loopback) with the PDF and the link, in the
customer's language; refusals change nothing and send nothing; the API and the quote page."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from conftest import client_for
from rapport.contacts.models import ContactEmail
from rapport.framework.actor import Actor
from rapport.framework.exceptions import RecordPermissionDenied
from rapport.quotes.acceptance import quote_for_link
from rapport.quotes.choices import QuoteLanguage, QuoteStatus
from rapport.quotes.models import Quote
from rapport.quotes.sending import quote_send
from rapport.quotes.tests.document_data import quote_with_lines
from tests.smtp_server import smtp_server  # noqa: F401

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/q/(?P<token>[^/\s]+)/")


def unchanged(quote: Quote) -> tuple[str, object]:
    quote.refresh_from_db()
    return quote.status, quote.sent_at


def attachment(message) -> tuple[str, str, bytes]:
    part = next(p for p in message.iter_attachments())
    return part.get_filename(), part.get_content_type(), part.get_content()


def test_sending_emails_the_pdf_and_a_working_link(personas, smtp_server, settings):  # noqa: F811
    # given a draft quote (no discount needing approval) whose recipient has an email address
    settings.RAPPORT_COMPANY_NAME = "Acme Widgets"
    settings.DEFAULT_FROM_EMAIL = "quotes@acme.example"
    quote = quote_with_lines(personas.owner, status=QuoteStatus.DRAFT)

    # when the owner sends it with a message
    sent = quote_send(
        actor=Actor(user=personas.owner),
        quote=quote,
        message="As discussed on the phone.",
        site_url="https://crm.acme.example",
    )

    # then one email went to the contact, from the installation, replies to the owner
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert smtp_server.envelopes[0] == ("quotes@acme.example", ["buyer@example.com"])
    assert message["Reply-To"] == "owner@example.com"
    assert message["Subject"] == f"Quote {quote.number} from Acme Widgets: CRM roll-out, first year"
    # with the PDF attached
    name, content_type, data = attachment(message)
    assert (name, content_type) == (f"{quote.number}-v1.pdf", "application/pdf")
    assert data.startswith(b"%PDF-")
    # and a body with the message, the total and a link that opens this quote
    body = message.get_body(("plain",)).get_content()
    assert "As discussed on the phone." in body
    assert "Total: USD 1,185.60" in body
    found = LINK.search(body)
    assert found is not None and found.group(0).startswith("https://crm.acme.example/q/")
    assert quote_for_link(found.group("token")).pk == quote.pk
    assert sent.link == found.group(0)
    # and the quote is sent
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.SENT
    assert quote.sent_at is not None


def test_a_chinese_quote_is_emailed_in_chinese(personas, smtp_server):  # noqa: F811
    # given a quote in Simplified Chinese
    quote = quote_with_lines(
        personas.owner, status=QuoteStatus.DRAFT, language=QuoteLanguage.CHINESE
    )

    # when it is sent to another address than the contact's
    quote_send(actor=Actor(user=personas.owner), quote=quote, to="caigou@example.cn")

    # then the email goes there, with the labels in Chinese and the Chinese PDF
    assert smtp_server.envelopes[0][1] == ["caigou@example.cn"]
    body = smtp_server.messages[0].get_body(("plain",)).get_content()
    assert "总计: USD 1,185.60" in body
    assert "有效期至: " in body
    assert attachment(smtp_server.messages[0])[2].startswith(b"%PDF-")


def test_sending_is_refused_while_an_approval_is_pending(personas, smtp_server):  # noqa: F811
    # given a quote awaiting a manager's approval
    quote = quote_with_lines(personas.owner, status=QuoteStatus.PENDING_APPROVAL)
    before = unchanged(quote)

    # when the owner tries to send it
    with pytest.raises(ValidationError) as caught:
        quote_send(actor=Actor(user=personas.owner), quote=quote)

    # then it is refused on its status, nothing was sent and nothing changed
    assert caught.value.error_dict["status"][0].code == "not_sendable"
    assert smtp_server.messages == []
    assert unchanged(quote) == before


def test_sending_a_discount_that_needs_approval_is_refused(personas, smtp_server):  # noqa: F811
    # given a draft whose first line has a 50 % discount (above the approval threshold)
    quote = quote_with_lines(personas.owner, status=QuoteStatus.DRAFT)
    quote.lines.filter(position=1).update(discount_percent=Decimal(50))
    before = unchanged(quote)

    # when the owner tries to send it
    with pytest.raises(ValidationError) as caught:
        quote_send(actor=Actor(user=personas.owner), quote=quote)

    # then it must be approved first; nothing sent, nothing changed
    assert caught.value.error_dict["status"][0].code == "approval_required"
    assert smtp_server.messages == []
    assert unchanged(quote) == before


def test_sending_without_any_address_is_refused(personas, smtp_server):  # noqa: F811
    # given a quote whose recipient has no email address
    quote = quote_with_lines(personas.owner, status=QuoteStatus.DRAFT)
    ContactEmail.objects.filter(contact_id=quote.contact_id).delete()
    before = unchanged(quote)

    # when it is sent without an address
    with pytest.raises(ValidationError) as caught:
        quote_send(actor=Actor(user=personas.owner), quote=quote)

    # then the address is asked for; nothing sent, nothing changed
    assert caught.value.error_dict["to"][0].code == "no_recipient"
    assert smtp_server.messages == []
    assert unchanged(quote) == before


def test_someone_who_may_not_change_the_quote_cannot_send_it(personas, smtp_server):  # noqa: F811
    # given the owner's quote and a user outside their team
    quote = quote_with_lines(personas.owner, status=QuoteStatus.DRAFT)
    before = unchanged(quote)

    # when that user tries to send it
    with pytest.raises(RecordPermissionDenied):
        quote_send(actor=Actor(user=personas.other), quote=quote)

    # then nothing was sent and nothing changed
    assert smtp_server.messages == []
    assert unchanged(quote) == before


def test_when_the_mail_server_refuses_the_quote_stays_unsent(personas, settings):
    # given a mail server that is not there
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    quote = quote_with_lines(personas.owner, status=QuoteStatus.DRAFT)
    before = unchanged(quote)

    # when the quote is sent
    with pytest.raises(OSError):
        quote_send(actor=Actor(user=personas.owner), quote=quote)

    # then it is not marked sent
    assert unchanged(quote) == before


def test_api_sends_and_downloads_the_pdf(personas, smtp_server):  # noqa: F811
    # given a draft quote
    quote = quote_with_lines(personas.owner, status=QuoteStatus.DRAFT)
    api = client_for(personas.owner)

    # when the owner downloads its PDF and sends it through the API
    pdf = api.get(f"/api/quotes/{quote.pk}/pdf/")
    sent = api.post(f"/api/quotes/{quote.pk}/send/", {"message": "Hello"}, format="json")

    # then the PDF comes as a download and the quote was sent to the contact
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == f'attachment; filename="{quote.number}-v1.pdf"'
    assert pdf.content.startswith(b"%PDF-")
    assert sent.status_code == 200, sent.content
    assert sent.json()["status"] == "sent"
    assert sent.json()["recipient"] == "buyer@example.com"
    assert len(smtp_server.messages) == 1


def test_api_refusals_name_the_field_and_change_nothing(personas, smtp_server):  # noqa: F811
    # given a quote awaiting approval, and one the other user may not see
    pending = quote_with_lines(personas.owner, status=QuoteStatus.PENDING_APPROVAL)
    before = unchanged(pending)
    api = client_for(personas.owner)

    # when they are sent or downloaded through the API
    refused = api.post(f"/api/quotes/{pending.pk}/send/", {}, format="json")
    bad_address = api.post(
        f"/api/quotes/{pending.pk}/send/", {"to": "not an address"}, format="json"
    )
    hidden_pdf = client_for(personas.other).get(f"/api/quotes/{pending.pk}/pdf/")
    hidden_send = client_for(personas.other).post(f"/api/quotes/{pending.pk}/send/", {})

    # then: a problem naming the field, not found for the stranger; nothing sent or changed
    assert refused.status_code == 400
    assert [(e["field"], e["code"]) for e in refused.json()["errors"]] == [
        ("status", "not_sendable")
    ]
    assert bad_address.status_code == 400
    assert [e["field"] for e in bad_address.json()["errors"]] == ["to"]
    assert (hidden_pdf.status_code, hidden_send.status_code) == (404, 404)
    assert smtp_server.messages == []
    assert unchanged(pending) == before


def test_quote_page_offers_download_and_send(personas, smtp_server):  # noqa: F811
    # given a draft quote and its owner signed in to the web UI
    quote = quote_with_lines(personas.owner, status=QuoteStatus.DRAFT)
    browser = Client()
    browser.force_login(personas.owner)

    # when the quote page is opened, the PDF downloaded and the Send form posted
    page = browser.get(f"/quotes/{quote.pk}/").content.decode()
    pdf = browser.get(f"/quotes/{quote.pk}/pdf/")
    sent = browser.post(
        f"/quotes/{quote.pk}/send/", {"to": "buyer@example.com", "message": ""}, follow=True
    )

    # then the page has the document panel, the PDF downloads, and the quote was sent
    assert "Download PDF" in page
    assert f'action="/quotes/{quote.pk}/send/"' in page
    assert 'value="buyer@example.com"' in page
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert "The quote was sent to buyer@example.com." in sent.content.decode()
    assert len(smtp_server.messages) == 1
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.SENT
