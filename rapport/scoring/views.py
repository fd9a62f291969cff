"""The lead-scoring model screen (administrators): the current model's metrics and
strongest weights, how many leads it could learn from, and "Train now"."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rapport.framework.api.serializers import actor_from_request
from rapport.framework.choices import Channel
from rapport.framework.ui.refusals import refusal_as_message
from rapport.scoring.reasons import reason_labels, weight_label
from rapport.scoring.selectors import model_status
from rapport.scoring.services import scoring_model_train

WEIGHTS_SHOWN = 12


def _denied(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_superuser:
        return render(request, "ui/denied.html", status=403)
    return None


@login_required
def model_page(request: HttpRequest) -> HttpResponse:
    if (denied := _denied(request)) is not None:
        return denied
    status = model_status()
    labels = reason_labels()
    weights = [
        {"name": weight_label(str(name), labels), "weight": weight}
        for name, weight in status["weights"][:WEIGHTS_SHOWN]
    ]
    return render(request, "scoring/model.html", {"status": status, "weights": weights})


@login_required
@require_POST
def model_train(request: HttpRequest) -> HttpResponse:
    if (denied := _denied(request)) is not None:
        return denied
    with refusal_as_message(request) as refused:
        scoring_model_train(actor=actor_from_request(request, Channel.UI))
    if not refused:
        messages.success(request, _("The model is trained; every lead is being scored again."))
    return redirect("scoring:model")
