"""The order page's status buttons: parse, call order_set_status, go back to the page."""

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
from rapport.orders.choices import OrderStatus
from rapport.orders.models import Order
from rapport.orders.services import order_set_status


@login_required
@require_POST
def order_status(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        order: Order = record_get(Order, request.user, pk)
    except RecordNotFound:
        raise Http404(_("No such record, or you may not see it.")) from None
    status = request.POST.get("status", "")
    with refusal_as_message(request):
        order_set_status(actor=actor_from_request(request, Channel.UI), order=order, status=status)
        messages.success(
            request,
            _("The order is now %(status)s.") % {"status": OrderStatus(status).label.lower()},
        )
    return redirect(reverse("ui:detail", kwargs={"key": "orders", "pk": order.pk}))
