"""Privacy screens of a contact or lead: the personal data export (HTML page or JSON
download), consents with their history, and erasure. Every write and every export goes
through the privacy services, which check permissions and record the action."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rapport.framework.api.serializers import actor_from_request
from rapport.framework.choices import Channel
from rapport.framework.exceptions import RecordNotFound, RecordPermissionDenied
from rapport.framework.registry import get_record_type
from rapport.privacy.choices import ConsentPurpose, ConsentSource, ExportFormat
from rapport.privacy.selectors import (
    Person,
    consent_current,
    consent_history,
    person_get,
    person_is_erased,
    person_may,
)
from rapport.privacy.services import (
    PersonAlreadyErased,
    consent_record,
    consent_withdraw,
    person_data_export,
    person_erase,
)

PERSON_TYPES = ("contacts", "leads")


def _person(request: HttpRequest, key: str, pk: int) -> Person:
    """The contact or lead if the user may see it; 404 for missing and forbidden alike."""
    try:
        return person_get(user=request.user, person_type=key, pk=pk)
    except RecordNotFound:
        raise Http404(_("No such record, or you may not see it.")) from None


def _denied(request: HttpRequest, message: str = "") -> HttpResponse:
    return render(request, "privacy/denied.html", {"message": message}, status=403)


def _record_url(key: str, person: Person) -> str:
    return reverse("ui:detail", kwargs={"key": key, "pk": person.pk})


@login_required
@require_GET
def personal_data(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    """Everything held about the person: an HTML page, or a JSON file (``?format=json``)."""
    person = _person(request, key, pk)
    export_format = request.GET.get("format", ExportFormat.HTML)
    if export_format not in ExportFormat.values:
        return HttpResponse(
            _("Format: choose json or html."), status=400, content_type="text/plain; charset=utf-8"
        )
    try:
        data = person_data_export(
            actor=actor_from_request(request, Channel.UI),
            person=person,
            export_format=export_format,
        )
    except RecordPermissionDenied as exc:
        return _denied(request, str(exc))
    if export_format == ExportFormat.HTML:
        html = render_to_string("privacy/personal_data.html", {"data": data}, request=request)
        return HttpResponse(html, content_type="text/html; charset=utf-8")
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="personal-data-{key}-{person.pk}.json"'
    return response


def _consents_page(
    request: HttpRequest,
    key: str,
    person: Person,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    current = consent_current(user=request.user, person=person)
    labels = dict(ConsentPurpose.choices)
    context = {
        "rt": get_record_type(key),
        "person": person,
        "consent_state": [(labels[purpose], row) for purpose, row in current.items()],
        "history": consent_history(user=request.user, person=person),
        "purposes": ConsentPurpose.choices,
        "withdrawable": [
            (purpose, labels[purpose])
            for purpose, row in current.items()
            if row is not None and row.granted
        ],
        "can_change": person_may(user=request.user, person=person, actions=("change",)),
        "errors": errors or {},
        "posted": request.POST if request.method == "POST" else {},
    }
    return render(request, "privacy/consents.html", context, status=status)


def _field_errors(exc: DjangoValidationError) -> dict[str, str]:
    if hasattr(exc, "error_dict"):
        return {name: " ".join(problems) for name, problems in exc.message_dict.items()}
    return {"": " ".join(exc.messages)}


@login_required
@require_http_methods(["GET", "POST"])
def consents(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    """The person's consents (current per purpose, and the history); posting records one."""
    person = _person(request, key, pk)
    if request.method == "GET":
        return _consents_page(request, key, person)
    granted = request.POST.get("granted", "")
    if granted not in ("yes", "no"):
        return _consents_page(
            request, key, person, {"granted": _("Choose granted or refused.")}, status=400
        )
    try:
        consent_record(
            actor=actor_from_request(request, Channel.UI),
            person=person,
            purpose=request.POST.get("purpose", ""),
            granted=granted == "yes",
            source=ConsentSource.UI,
            wording=request.POST.get("wording", "").strip(),
        )
    except RecordPermissionDenied as exc:
        return _denied(request, str(exc))
    except DjangoValidationError as exc:
        return _consents_page(request, key, person, _field_errors(exc), status=400)
    messages.success(request, _("Consent recorded."))
    return redirect("privacy:consents", key=key, pk=person.pk)


@login_required
@require_POST
def consents_withdraw(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    """Withdraw the person's consent for one purpose."""
    person = _person(request, key, pk)
    try:
        consent_withdraw(
            actor=actor_from_request(request, Channel.UI),
            person=person,
            purpose=request.POST.get("purpose", ""),
            source=ConsentSource.UI,
        )
    except RecordPermissionDenied as exc:
        return _denied(request, str(exc))
    except DjangoValidationError as exc:
        errors = {"withdraw_" + k: v for k, v in _field_errors(exc).items()}
        return _consents_page(request, key, person, errors, status=400)
    messages.success(request, _("Consent withdrawn."))
    return redirect("privacy:consents", key=key, pk=person.pk)


@login_required
@require_http_methods(["GET", "POST"])
def erase(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    """Confirmation page (GET) and the erasure itself (POST): irreversible anonymisation."""
    person = _person(request, key, pk)
    if not person_may(user=request.user, person=person, actions=("change", "delete")):
        return _denied(request, _("You may erase only a person you may change and delete."))
    context: dict[str, Any] = {
        "rt": get_record_type(key),
        "person": person,
        "erased": person_is_erased(person),
    }
    if request.method == "GET":
        return render(request, "privacy/erase.html", context)
    if request.POST.get("confirm") != "yes":
        context["error"] = _("Confirm: tick the box to confirm the erasure.")
        return render(request, "privacy/erase.html", context, status=400)
    try:
        person_erase(actor=actor_from_request(request, Channel.UI), person=person)
    except RecordPermissionDenied as exc:
        return _denied(request, str(exc))
    except PersonAlreadyErased:
        messages.error(request, _("This person has already been erased."))
        return redirect(_record_url(key, person))
    messages.success(request, _("The person was erased."))
    return redirect(_record_url(key, person))
