"""Staff screens of a quote's document: download the PDF and send the quote, from the
"Document" panel of the quote page (registered here: this module is imported with the URL
configuration, before any page is shown)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from rapport.framework.api.serializers import actor_from_request
from rapport.framework.base_models import record_get, restricted
from rapport.framework.choices import Channel
from rapport.framework.exceptions import RecordNotFound, RecordPermissionDenied
from rapport.framework.ui.hooks import RecordPanel, record_panel
from rapport.quotes.choices import QuoteStatus
from rapport.quotes.models import Quote
from rapport.quotes.pdf import quote_pdf, quote_pdf_filename
from rapport.quotes.sending import MESSAGE_MAX, quote_recipient, quote_send
from rapport.quotes.services import SENDABLE


def pdf_response(quote: Quote, *, download: bool) -> HttpResponse:
    """The quote's PDF as a response: a download, or shown in the browser."""
    response = HttpResponse(quote_pdf(quote), content_type="application/pdf")
    disposition = "attachment" if download else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{quote_pdf_filename(quote)}"'
    return response


def site_url(request: HttpRequest) -> str:
    """This installation's address as the request reached it (for links in emails)."""
    return request.build_absolute_uri("/").rstrip("/")


def _document_panel(*, user: Any, record: Any, **_kw: Any) -> dict[str, Any] | None:
    quote: Quote = record
    may_change = restricted(Quote, user, "change").filter(pk=quote.pk).exists()
    return {
        "quote": quote,
        "can_send": may_change and quote.status in SENDABLE,
        "resend": quote.status == QuoteStatus.SENT,
        "recipient": quote_recipient(quote),
        "message_max": MESSAGE_MAX,
    }


record_panel(RecordPanel(("quotes",), "quotes/_document_actions.html", _document_panel, order=20))


@login_required
@require_GET
def quote_pdf_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The PDF of a quote the user may see (?inline=1 to show it in the browser)."""
    try:
        quote = record_get(Quote, request.user, pk)
    except RecordNotFound:
        return HttpResponse(_("No such quote, or you may not see it."), status=404)
    return pdf_response(quote, download=request.GET.get("inline") != "1")


@login_required
@require_POST
def quote_send_screen(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the quote from its page; the outcome shows as a message on the page."""
    try:
        quote = record_get(Quote, request.user, pk)
    except RecordNotFound:
        return HttpResponse(_("No such quote, or you may not see it."), status=404)
    page = reverse("ui:detail", kwargs={"key": "quotes", "pk": quote.pk})
    try:
        sent = quote_send(
            actor=actor_from_request(request, Channel.UI),
            quote=quote,
            to=request.POST.get("to", ""),
            message=request.POST.get("message", ""),
            site_url=site_url(request),
        )
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, _("The quote was not sent: %(reason)s") % {"reason": text})
        return redirect(page)
    except RecordPermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect(page)
    messages.success(request, _("The quote was sent to %(email)s.") % {"email": sent.recipient})
    return redirect(page)
