"""The customer's answer to a quote, through a signed, expiring link.

A link carries the quote's id and version, signed with the server's secret
(``django.core.signing.TimestampSigner``, salt per purpose) and the time it was made. It works
until the end of the quote's ``valid_until`` day or ``RAPPORT_QUOTE_LINK_MAX_AGE_DAYS`` after
it was made, whichever comes first, and only while that version is the latest one and waits
for an answer (status sent).

``quote_accept`` marks the quote accepted, creates the order and moves the opportunity to won;
``quote_decline`` marks it declined with the customer's reason. Both run in one transaction
as the quote's owner through the customer portal channel, so the change log says who was
acting for whom; a refused link (``QuoteLinkRefused``) changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from rapport.framework.actor import Actor
from rapport.framework.choices import ActorKind, Channel
from rapport.framework.registry import get_record_type
from rapport.framework.services import record_update
from rapport.opportunities.choices import StageKind
from rapport.opportunities.services import opportunity_close
from rapport.orders.models import Order
from rapport.orders.services import order_create_from_quote
from rapport.quotes.choices import QuoteStatus
from rapport.quotes.models import Quote
from rapport.workspace.choices import NotificationKind
from rapport.workspace.services import notification_create

LINK_SALT = "rapport.quotes.answer-link"
NAME_MAX = 200
REASON_MAX = 2000


class QuoteLinkRefused(Exception):
    """A link that cannot be answered: ``code`` says why (stable), ``status`` is the HTTP
    status a page answers with (404 unknown, 409 already answered or not open, 410 gone)."""

    def __init__(self, message: str, *, code: str, status: int, quote: Quote | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.quote = quote


@dataclass(frozen=True)
class Acceptance:
    quote: Quote
    order: Order


def max_age() -> dt.timedelta:
    return dt.timedelta(days=settings.RAPPORT_QUOTE_LINK_MAX_AGE_DAYS)


def quote_link_token(quote: Quote) -> str:
    """A new signed token for ``quote``: its id, its version and the time it was made."""
    payload = {"q": quote.pk, "v": quote.version, "t": int(timezone.now().timestamp())}
    return signing.dumps(payload, salt=LINK_SALT)


def quote_link_path(token: str) -> str:
    return reverse("quotes-public:answer", kwargs={"token": token})


def quote_link_url(quote: Quote, *, site_url: str = "") -> str:
    """The absolute address of a new link to ``quote`` on ``site_url`` (by default
    ``RAPPORT_SITE_URL``)."""
    base = (site_url or settings.RAPPORT_SITE_URL).rstrip("/")
    return base + quote_link_path(quote_link_token(quote))


def quote_link_expires_at(quote: Quote, signed_at: dt.datetime) -> dt.datetime:
    """When a link made at ``signed_at`` stops working: the end of the quote's last valid
    day (in the installation's time zone) or the maximum age, whichever is first."""
    ends = signed_at + max_age()
    if quote.valid_until is not None:
        day_after = dt.datetime.combine(quote.valid_until + dt.timedelta(days=1), dt.time())
        ends = min(ends, timezone.make_aware(day_after))
    return ends


def _unsign(token: str) -> tuple[int, int, dt.datetime]:
    try:
        payload = signing.loads(token, salt=LINK_SALT)
        signed_at = dt.datetime.fromtimestamp(int(payload["t"]), tz=dt.UTC)
        return int(payload["q"]), int(payload["v"]), signed_at
    except (signing.BadSignature, KeyError, TypeError, ValueError, OverflowError):
        raise QuoteLinkRefused(
            _("This link is not valid. Please use the link from the email you received."),
            code="invalid_link",
            status=404,
        ) from None


def _refuse_answered(quote: Quote) -> None:
    if quote.status == QuoteStatus.ACCEPTED:
        raise QuoteLinkRefused(
            _("This quote was already accepted on %(date)s.") % {"date": _day(quote.accepted_at)},
            code="already_accepted",
            status=409,
            quote=quote,
        )
    if quote.status == QuoteStatus.DECLINED:
        raise QuoteLinkRefused(
            _("This quote was already declined on %(date)s.") % {"date": _day(quote.declined_at)},
            code="already_declined",
            status=409,
            quote=quote,
        )


def _day(moment: dt.datetime | None) -> str:
    return date_format(timezone.localtime(moment), "DATE_FORMAT") if moment else ""


def quote_for_link(token: str, *, lock: bool = False) -> Quote:
    """The quote a link answers, or QuoteLinkRefused saying why it cannot be answered:
    tampered or unknown (404), a newer version exists (410), already accepted or declined
    (409), expired (410), not sent (409). ``lock``: select it for update (inside a
    transaction), so that two answers cannot both pass."""
    pk, version, signed_at = _unsign(token)
    quotes = Quote.objects.select_related("opportunity__stage", "owner", "currency")
    quote = (quotes.select_for_update(of=("self",)) if lock else quotes).filter(pk=pk).first()
    if quote is None or quote.version != version:
        raise QuoteLinkRefused(
            _("This link is not valid. Please use the link from the email you received."),
            code="invalid_link",
            status=404,
        )
    newer = Quote.objects.filter(number=quote.number, version__gt=quote.version).exists()
    if newer or quote.status == QuoteStatus.SUPERSEDED:
        raise QuoteLinkRefused(
            _(
                "This version of the quote was replaced by a newer one. Please use the link "
                "in the most recent email from %(company)s."
            )
            % {"company": settings.RAPPORT_COMPANY_NAME},
            code="superseded",
            status=410,
            quote=quote,
        )
    _refuse_answered(quote)
    if quote.status == QuoteStatus.EXPIRED or timezone.now() >= quote_link_expires_at(
        quote, signed_at
    ):
        raise QuoteLinkRefused(
            _(
                "This link has expired, so the quote can no longer be accepted or declined "
                "here. Please ask %(company)s for a new quote."
            )
            % {"company": settings.RAPPORT_COMPANY_NAME},
            code="expired",
            status=410,
            quote=quote,
        )
    if quote.status != QuoteStatus.SENT:
        raise QuoteLinkRefused(
            _("This quote is not open for an answer at the moment."),
            code="not_sent",
            status=409,
            quote=quote,
        )
    return quote


def portal_actor(quote: Quote) -> Actor:
    """The quote's owner, acting for the customer through the customer portal. A quote
    whose owner has left (deactivated, no owner) cannot be answered online until someone
    takes it over."""
    owner = quote.owner
    if owner is None or not owner.is_active:
        raise QuoteLinkRefused(
            _("This quote cannot be answered online at the moment. Please contact %(company)s.")
            % {"company": settings.RAPPORT_COMPANY_NAME},
            code="owner_unavailable",
            status=409,
            quote=quote,
        )
    return Actor(user=owner, kind=ActorKind.USER, channel=Channel.PORTAL)


def _text(value: str, *, field: str, limit: int, required: bool) -> str:
    text = " ".join(value.split()) if field == "name" else value.strip()
    if required and not text:
        raise ValidationError(
            {field: ValidationError(_("Please type your full name to accept."), code="required")}
        )
    if len(text) > limit:
        raise ValidationError(
            {
                field: ValidationError(
                    _("Please keep this to %(limit)d characters.") % {"limit": limit},
                    code="max_length",
                )
            }
        )
    return text


@transaction.atomic
def quote_accept(*, token: str, name: str) -> Acceptance:
    """Accept the quote of ``token`` in the name typed by the customer: the quote becomes
    accepted, its order is created and its opportunity is won, all or nothing."""
    name = _text(name, field="name", limit=NAME_MAX, required=True)
    quote = quote_for_link(token, lock=True)
    actor = portal_actor(quote)
    now = timezone.now()
    quote = cast(
        Quote,
        record_update(
            actor=actor,
            record_type=get_record_type("quotes"),
            record=quote,
            data={"status": QuoteStatus.ACCEPTED, "accepted_at": now},
        ),
    )
    order = order_create_from_quote(actor=actor, quote=quote)
    note = _("Accepted by %(name)s through the quote link on %(date)s.") % {
        "name": name,
        "date": _day(now),
    }
    order = cast(
        Order,
        record_update(
            actor=actor,
            record_type=get_record_type("orders"),
            record=order,
            data={"description": "\n".join(p for p in (order.description, note) if p)},
        ),
    )
    opportunity = quote.opportunity
    if opportunity.stage.kind != StageKind.WON:
        opportunity_close(actor=actor, opportunity=opportunity, outcome=StageKind.WON)
    _tell_owner(quote, NotificationKind.QUOTE_ACCEPTED, name)
    return Acceptance(quote=quote, order=order)


@transaction.atomic
def quote_decline(*, token: str, reason: str = "") -> Quote:
    """Decline the quote of ``token``, with the customer's reason (optional)."""
    reason = _text(reason, field="reason", limit=REASON_MAX, required=False)
    quote = quote_for_link(token, lock=True)
    data: dict[str, Any] = {
        "status": QuoteStatus.DECLINED,
        "declined_at": timezone.now(),
        "decline_reason": reason,
    }
    quote = cast(
        Quote,
        record_update(
            actor=portal_actor(quote),
            record_type=get_record_type("quotes"),
            record=quote,
            data=data,
        ),
    )
    _tell_owner(quote, NotificationKind.QUOTE_DECLINED, reason)
    return quote


def _tell_owner(quote: Quote, kind: NotificationKind, said: str) -> None:
    """The quote's owner learns of the customer's answer (in the bell), with what the
    customer typed: the name signed with, or the reason for declining."""
    notification_create(
        user_id=quote.owner_id,
        kind=kind,
        actor_id=None,
        record_type="quotes",
        object_id=str(quote.pk),
        text=" — ".join(p for p in (str(quote), said) if p),
    )
