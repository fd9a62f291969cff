"""The customer's pages of a quote, reached through the signed link in the email (no login):
``/q/<token>/`` shows the quote with the Accept and Decline forms, ``/q/<token>/pdf/`` the
document. A link that cannot be answered gets a page saying why (404 unknown, 409 already
answered, 410 expired or replaced), never an error page.

The pages are in the quote's language. Requests are counted per client address (a fixed
window of a minute): signatures cannot be guessed, but each answer renders documents and
writes, and a flood should not.
"""

from __future__ import annotations

import ipaddress
import time
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_POST
from rest_framework.request import Request

from rapport.framework.api.counters import counter_hit
from rapport.framework.api.throttling import IpRateThrottle
from rapport.framework.exceptions import RecordPermissionDenied
from rapport.quotes.acceptance import (
    NAME_MAX,
    REASON_MAX,
    QuoteLinkRefused,
    quote_accept,
    quote_decline,
    quote_for_link,
)
from rapport.quotes.choices import QuoteLanguage
from rapport.quotes.models import Quote
from rapport.quotes.pdf import quote_document, quote_for_document, quote_pdf, quote_pdf_filename

# Requests per client address and minute: pages and PDFs, and answers (accept, decline).
VIEWS_PER_MINUTE = 30
ANSWERS_PER_MINUTE = 5


def _client(request: HttpRequest) -> str:
    ident = IpRateThrottle().get_ident(cast(Request, request)).strip()
    try:
        return str(ipaddress.ip_address(ident))
    except ValueError:
        return "-"


def _over_limit(request: HttpRequest, kind: str, limit: int) -> int:
    """Seconds to wait when the client went over ``limit`` requests of ``kind`` this minute,
    else 0."""
    now = time.time()
    window = int(now // 60)
    hits = counter_hit(f"quote-link:{kind}:{_client(request)}", window=window, ttl=61)
    return max(int((window + 1) * 60 - now) + 1, 1) if hits > limit else 0


def _language(quote: Quote | None) -> str:
    if quote is not None:
        return quote.language
    current = translation.get_language() or "en"
    return current if current in QuoteLanguage.values else QuoteLanguage.ENGLISH


def _refused(request: HttpRequest, refusal: QuoteLinkRefused) -> HttpResponse:
    with translation.override(_language(refusal.quote)):
        return render(
            request,
            "quotes/public_refused.html",
            {
                "message": refusal.message,
                "code": refusal.code,
                "company": settings.RAPPORT_COMPANY_NAME,
                "language": _language(refusal.quote),
                "quote": refusal.quote,
                "pdf": refusal.code in ("already_accepted", "already_declined"),
                "token": request.resolver_match.kwargs.get("token")
                if request.resolver_match
                else "",
            },
            status=refusal.status,
        )


def _too_many(request: HttpRequest, wait: int) -> HttpResponse:
    response = render(
        request,
        "quotes/public_refused.html",
        {
            "message": _(
                "Too many requests from your address. Please try again in %(seconds)d seconds."
            )
            % {"seconds": wait},
            "code": "rate_limited",
            "company": settings.RAPPORT_COMPANY_NAME,
            "language": _language(None),
        },
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response


def _page(
    request: HttpRequest,
    quote: Quote,
    token: str,
    *,
    errors: dict[str, list[str]] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    quote = quote_for_document(quote.pk)
    with translation.override(quote.language):
        return render(
            request,
            "quotes/public.html",
            {
                "doc": quote_document(quote),
                "quote": quote,
                "token": token,
                "company": settings.RAPPORT_COMPANY_NAME,
                "language": quote.language,
                "errors": errors or {},
                # What the customer cannot fix in the forms (the quote's own state).
                "general": [
                    m for k, ms in (errors or {}).items() if k not in ("name", "reason") for m in ms
                ],
                "values": values or {},
                "name_max": NAME_MAX,
                "reason_max": REASON_MAX,
            },
            status=status,
        )


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    return {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}


@never_cache
@require_GET
def quote_page(request: HttpRequest, token: str) -> HttpResponse:
    """The quote as the customer reads it, with the forms to accept or decline it."""
    wait = _over_limit(request, "view", VIEWS_PER_MINUTE)
    if wait:
        return _too_many(request, wait)
    try:
        quote = quote_for_link(token)
    except QuoteLinkRefused as refusal:
        return _refused(request, refusal)
    return _page(request, quote, token)


@never_cache
@require_GET
def quote_page_pdf(request: HttpRequest, token: str) -> HttpResponse:
    """The quote's PDF, while the link works and after it was answered."""
    wait = _over_limit(request, "view", VIEWS_PER_MINUTE)
    if wait:
        return _too_many(request, wait)
    try:
        quote = quote_for_link(token)
    except QuoteLinkRefused as refusal:
        if refusal.quote is None or refusal.code not in ("already_accepted", "already_declined"):
            return _refused(request, refusal)
        quote = refusal.quote
    response = HttpResponse(quote_pdf(quote), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{quote_pdf_filename(quote)}"'
    return response


def _answer(request: HttpRequest, token: str, kind: str) -> HttpResponse:
    wait = _over_limit(request, "answer", ANSWERS_PER_MINUTE)
    if wait:
        return _too_many(request, wait)
    values = {"name": request.POST.get("name", ""), "reason": request.POST.get("reason", "")}
    try:
        if kind == "accept":
            acceptance = quote_accept(token=token, name=values["name"])
            quote, order_number = acceptance.quote, acceptance.order.number
        else:
            quote, order_number = quote_decline(token=token, reason=values["reason"]), ""
    except QuoteLinkRefused as refusal:
        return _refused(request, refusal)
    except RecordPermissionDenied:
        # The owner may no longer change what the answer changes (the opportunity moved to
        # someone else, say): the company must take the quote over.
        return _refused(
            request,
            QuoteLinkRefused(
                _("This quote cannot be answered online at the moment. Please contact %(company)s.")
                % {"company": settings.RAPPORT_COMPANY_NAME},
                code="owner_unavailable",
                status=409,
            ),
        )
    except ValidationError as exc:
        try:
            current = quote_for_link(token)
        except QuoteLinkRefused as refusal:
            return _refused(request, refusal)
        return _page(request, current, token, errors=_errors(exc), values=values, status=400)
    with translation.override(quote.language):
        context: dict[str, Any] = {
            "quote": quote,
            "kind": kind,
            "order_number": order_number,
            "company": settings.RAPPORT_COMPANY_NAME,
            "language": quote.language,
            "token": token,
        }
        return render(request, "quotes/public_done.html", context)


@never_cache
@csrf_protect
@require_POST
def quote_page_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Accept the quote in the name typed by the customer."""
    return _answer(request, token, "accept")


@never_cache
@csrf_protect
@require_POST
def quote_page_decline(request: HttpRequest, token: str) -> HttpResponse:
    """Decline the quote, with an optional reason."""
    return _answer(request, token, "decline")
