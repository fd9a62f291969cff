"""Sending a quote to the customer: an email in the customer's language with the PDF attached
and the link to accept or decline it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rapport.contacts.models import ContactEmail
from rapport.framework.actor import Actor
from rapport.framework.base_models import restricted
from rapport.framework.exceptions import RecordPermissionDenied, field_error
from rapport.framework.registry import get_record_type
from rapport.framework.services import record_update
from rapport.quotes.acceptance import quote_link_expires_at, quote_link_url
from rapport.quotes.choices import QuoteStatus
from rapport.quotes.models import Quote
from rapport.quotes.pdf import quote_document, quote_for_document, quote_pdf, quote_pdf_filename
from rapport.quotes.services import quote_ready_to_send

MESSAGE_MAX = 5000


@dataclass(frozen=True)
class QuoteSent:
    quote: Quote
    recipient: str
    link: str


def quote_recipient(quote: Quote) -> str:
    """The email address a quote goes to by default: its recipient contact's primary (else
    first) address; empty when there is none."""
    if quote.contact_id is None:
        return ""
    address = (
        ContactEmail.objects.filter(contact_id=quote.contact_id)
        .order_by("-is_primary", "id")
        .values_list("email", flat=True)
        .first()
    )
    return address or ""


def _recipient(quote: Quote, to: str | None) -> str:
    address = (to or "").strip() or quote_recipient(quote)
    if not address:
        raise field_error(
            "to",
            _("The quote's recipient has no email address: enter one to send it to."),
            "no_recipient",
        )
    try:
        validate_email(address)
    except ValidationError:
        raise field_error("to", _("Enter a valid email address."), "invalid") from None
    return address


def quote_send(
    *,
    actor: Actor,
    quote: Quote,
    to: str | None = None,
    message: str = "",
    site_url: str = "",
) -> QuoteSent:
    """Email ``quote`` to its recipient contact (or ``to``) with the PDF and a new accept/
    decline link on ``site_url`` (default ``RAPPORT_SITE_URL``), in the quote's language; the
    quote becomes sent. Refused while an approval is pending or when there is no address.

    The mail goes out inside the transaction, last: if the mail server refuses it, the quote
    stays as it was and the user sees the error, rather than a quote marked sent that nobody
    received.
    """
    # Who may not change the quote learns that first, before anything about its state.
    if actor.read_only or not restricted(Quote, actor.user, "change").filter(pk=quote.pk).exists():
        raise RecordPermissionDenied()
    quote_ready_to_send(quote)
    recipient = _recipient(quote, to)
    if len(message) > MESSAGE_MAX:
        raise field_error(
            "message",
            _("Please keep the message to %(limit)d characters.") % {"limit": MESSAGE_MAX},
            "max_length",
        )
    with transaction.atomic():
        now = timezone.now()
        updated = cast(
            Quote,
            record_update(
                actor=actor,
                record_type=get_record_type("quotes"),
                record=quote,
                data={"status": QuoteStatus.SENT, "sent_at": now},
            ),
        )
        link = quote_link_url(updated, site_url=site_url)
        pdf = quote_pdf(updated)
        _mail(actor, quote_for_document(updated.pk), recipient, link, message.strip(), pdf)
    return QuoteSent(quote=updated, recipient=recipient, link=link)


def _mail(actor: Actor, quote: Quote, recipient: str, link: str, message: str, pdf: bytes) -> None:
    sender = actor.user
    with translation.override(quote.language):
        context = {
            "doc": quote_document(quote),
            "company": settings.RAPPORT_COMPANY_NAME,
            "link": link,
            # The last day the link works (it ends at midnight after it).
            "link_last_day": timezone.localtime(
                quote_link_expires_at(quote, timezone.now()) - dt.timedelta(microseconds=1)
            ).date(),
            "message": message,
            "sender": (sender.get_full_name() or sender.get_username()) if sender else "",
        }
        subject = render_to_string("quotes/public_email_subject.txt", context).strip()
        body = render_to_string("quotes/public_email.txt", context)
    email = EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient],
        reply_to=[sender.email] if sender is not None and sender.email else None,
    )
    email.attach(quote_pdf_filename(quote), pdf, "application/pdf")
    email.send(fail_silently=False)
