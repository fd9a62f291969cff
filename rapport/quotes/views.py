"""The quote page's workflow buttons: submit for approval, approve, refuse, revise, and
create the order. Each parses the form, calls one service and goes back to a record page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rapport.framework.api.serializers import actor_from_request
from rapport.framework.base_models import record_get
from rapport.framework.choices import Channel
from rapport.framework.exceptions import RecordNotFound
from rapport.framework.ui.refusals import refusal_as_message
from rapport.orders.services import order_create_from_quote
from rapport.quotes.models import Quote
from rapport.quotes.services import (
    quote_approve,
    quote_reject,
    quote_revise,
    quote_submit_for_approval,
)

ACTIONS = ("submit", "approve", "reject", "revise", "order")


def _url(key: str, pk: int) -> str:
    return reverse("ui:detail", kwargs={"key": key, "pk": pk})


@login_required
@require_POST
def quote_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404()
    try:
        quote: Quote = record_get(Quote, request.user, pk)
    except RecordNotFound:
        raise Http404(_("No such record, or you may not see it.")) from None
    actor = actor_from_request(request, Channel.UI)
    note = request.POST.get("note", "")
    with refusal_as_message(request):
        if action == "submit":
            quote_submit_for_approval(actor=actor, quote=quote)
            messages.success(request, _("The quote awaits a manager's approval."))
        elif action == "approve":
            quote_approve(actor=actor, quote=quote, note=note)
            messages.success(request, _("The quote is approved."))
        elif action == "reject":
            quote_reject(actor=actor, quote=quote, note=note)
            messages.success(request, _("The quote is refused."))
        elif action == "revise":
            new = quote_revise(actor=actor, quote=quote)
            messages.success(request, _("Version %(version)d created.") % {"version": new.version})
            return redirect(_url("quotes", new.pk))
        else:
            order = order_create_from_quote(actor=actor, quote=quote)
            messages.success(request, _("Order %(number)s created.") % {"number": order.number})
            return redirect(_url("orders", order.pk))
    return redirect(_url("quotes", quote.pk))
