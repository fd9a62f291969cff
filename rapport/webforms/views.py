"""Screens of web forms: the public hosted page ``/f/<slug>/`` (no login), and for staff the
embed page and the submissions list with the spam folder."""

from __future__ import annotations

import ipaddress
from typing import Any, cast

from csp.constants import SELF
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework.request import Request

from rapport.framework.api.serializers import actor_from_request
from rapport.framework.api.throttling import IpRateThrottle
from rapport.framework.base_models import record_get, restricted
from rapport.framework.choices import Channel
from rapport.framework.exceptions import RecordNotFound, RecordPermissionDenied
from rapport.webforms.choices import SpamReason, SubmissionStatus
from rapport.webforms.design import Input, form_inputs, languages, origin_of, text_in
from rapport.webforms.models import WebForm, WebFormSubmission
from rapport.webforms.services import (
    HONEYPOT,
    REFERRER,
    TOKEN,
    UTM_KEYS,
    SubmissionMeta,
    WebFormInvalid,
    WebFormRefused,
    consent_input_name,
    form_token,
    max_bytes,
    webform_submission_accept,
    webform_submit,
)


def _language(request: HttpRequest) -> str:
    """``?lang=`` when it is one of ours, else what LocaleMiddleware chose (cookie or
    Accept-Language)."""
    wanted = request.GET.get("lang", "").lower()
    if wanted in languages():
        return wanted
    current = translation.get_language() or "en"
    return current if current in languages() else "en"


def _client_ip(request: HttpRequest) -> str | None:
    """The address the API's rate limits use (X-Forwarded-For only behind configured proxies);
    None when it is not an IP address."""
    ident = IpRateThrottle().get_ident(cast(Request, request)).strip()
    try:
        return str(ipaddress.ip_address(ident))
    except ValueError:
        return None


def _frame_policy(response: HttpResponse, form: WebForm) -> HttpResponse:
    """Only the form's allowed origins (and Rapport itself, for the preview on the embed page)
    may frame the page; a redirect after sending must be allowed as a form target too
    (browsers apply form-action to the redirect)."""
    response._csp_replace = {"frame-ancestors": [SELF, *form.allowed_origins]}  # type: ignore[attr-defined]
    if form.redirect_url:
        response._csp_update = {"form-action": [origin_of(form.redirect_url)]}  # type: ignore[attr-defined]
    return response


def _consent_items(form: WebForm, language: str, data: Any) -> list[dict[str, Any]]:
    return [
        {
            "name": consent_input_name(str(c.get("purpose"))),
            "wording": text_in(c.get("wording"), language),
            "required": bool(c.get("required")),
            "checked": consent_input_name(str(c.get("purpose"))) in data,
            "errors": [],
        }
        for c in form.consents
    ]


def _page(
    request: HttpRequest,
    form: WebForm,
    language: str,
    *,
    data: Any = None,
    errors: dict[str, list[str]] | None = None,
    general: str = "",
    status: int = 200,
) -> HttpResponse:
    data = data if data is not None else {}
    errors = errors or {}
    inputs: list[Input] = form_inputs(form.fields, language)
    for item in inputs:
        item.value = data.get(item.name, "")
        item.errors = errors.get(item.name, [])
    consents = _consent_items(form, language, data)
    for consent in consents:
        consent["errors"] = errors.get(consent["name"], [])
    hidden = {key: data.get(key) or request.GET.get(key, "") for key in UTM_KEYS}
    hidden[REFERRER] = (
        data.get(REFERRER)
        or request.GET.get("ref")
        or (request.META.get("HTTP_REFERER", "") if request.method == "GET" else "")
    )
    context = {
        "form": form,
        "language": language,
        "inputs": inputs,
        "consents": consents,
        "general": [general] if general else errors.get("", []),
        "token_name": TOKEN,
        "token": form_token(form),
        "honeypot": HONEYPOT,
        "hidden": {k: v for k, v in hidden.items() if v},
        "has_errors": bool(errors),
    }
    return render(request, "webforms/hosted.html", context, status=status)


def _thanks(request: HttpRequest, form: WebForm, language: str) -> HttpResponse:
    if form.redirect_url:
        return HttpResponseRedirect(form.redirect_url, status=303)
    return render(
        request,
        "webforms/thanks.html",
        {"form": form, "language": language, "text": text_in(form.thank_you, language)},
    )


def _meta(request: HttpRequest, language: str, size: int) -> SubmissionMeta:
    utm = {key: request.POST.get(key) or request.GET.get(key, "") for key in UTM_KEYS}
    return SubmissionMeta(
        ip=_client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        referrer=request.POST.get(REFERRER) or request.META.get("HTTP_REFERER", ""),
        utm={k: str(v) for k, v in utm.items() if v},
        body_size=size,
        language=language,
    )


@csrf_exempt
@xframe_options_exempt
@require_http_methods(["GET", "POST"])
def hosted_form(request: HttpRequest, slug: str) -> HttpResponse:
    """The public page of a web form: shows it (GET) and takes a submission (POST).

    CSRF: the page is embedded in other sites, where the session cookie is not sent (or is a
    third-party cookie), so Django's CSRF check cannot work here and is switched off. That is
    safe because the form carries no authority of the visitor: it needs no login, and what a
    forged cross-site post could do (create a lead with values of the attacker's choosing) is
    exactly what the attacker can do by filling in the form. Instead, each page carries a
    token signed with the server's secret (``django.core.signing``) of the form and the time it
    was rendered: a post without a valid token, or sent faster than a person could type, is
    kept as suspected spam, not turned into a lead.
    """
    form = WebForm.objects.filter(slug=slug, active=True).select_related("lead_owner").first()
    if form is None:
        raise Http404(_("There is no such form, or it is closed."))
    language = _language(request)
    with translation.override(language):
        response = _hosted_form(request, form, language)
    return _frame_policy(response, form)


def _hosted_form(request: HttpRequest, form: WebForm, language: str) -> HttpResponse:
    if request.method == "GET":
        return _page(request, form, language)
    try:
        size = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        size = 0
    # An oversized body is not even read: the service refuses it by its size.
    if size <= max_bytes():
        size = max(size, len(request.body))  # a chunked body has no Content-Length
    data: Any = request.POST if size <= max_bytes() else {}
    try:
        webform_submit(form=form, data=data, meta=_meta(request, language, size))
    except WebFormRefused as exc:
        response = _page(request, form, language, data=data, general=exc.message, status=exc.status)
        if hasattr(exc, "retry_after"):
            response["Retry-After"] = str(exc.retry_after)
        return response
    except WebFormInvalid as exc:
        return _page(request, form, language, data=data, errors=exc.errors, status=400)
    return _thanks(request, form, language)


def _staff_form(request: HttpRequest, pk: int) -> WebForm | None:
    """The form ``pk`` if the user is staff (submissions hold personal data); None if not."""
    if not (request.user.is_staff or request.user.is_superuser):
        return None
    try:
        form: WebForm = record_get(WebForm, request.user, pk)
    except RecordNotFound:
        raise Http404(_("No such record, or you may not see it.")) from None
    return form


def _denied(request: HttpRequest) -> HttpResponse:
    return render(request, "ui/denied.html", status=403)


def hosted_url(request: HttpRequest, form: WebForm) -> str:
    return request.build_absolute_uri(reverse("webforms:hosted", kwargs={"slug": form.slug}))


@login_required
def embed(request: HttpRequest, pk: int) -> HttpResponse:
    """How to put the form on a website: its link and the embed snippet."""
    form = _staff_form(request, pk)
    if form is None:
        return _denied(request)
    url = hosted_url(request, form)
    # The unhashed name: a snippet pasted into another site must outlive the next deployment
    # (the manifest storage renames files; WhiteNoise serves the original name as well).
    script = request.build_absolute_uri(settings.STATIC_URL + "rapport/webform-embed.js")
    snippet = (
        f'<div data-rapport-form="{escape(url)}" data-title="{escape(form.name)}"></div>\n'
        f'<script src="{escape(script)}" defer></script>'
    )
    return render(request, "webforms/embed.html", {"form": form, "url": url, "snippet": snippet})


_REASON_LABELS = dict(SpamReason.choices)


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """Every form with its number of submissions by status: the way to each spam folder."""
    if not (request.user.is_staff or request.user.is_superuser):
        return _denied(request)
    forms = list(restricted(WebForm, request.user, "view").order_by("name", "id"))
    counts: dict[tuple[int, str], int] = {
        (row["form_id"], row["status"]): row["n"]
        for row in WebFormSubmission.objects.values("form_id", "status").annotate(n=Count("id"))
    }
    rows = [
        {
            "form": form,
            "counts": [
                (value, label, counts.get((form.pk, value), 0))
                for value, label in SubmissionStatus.choices
            ],
        }
        for form in forms
    ]
    return render(request, "webforms/overview.html", {"rows": rows})


@login_required
def submissions(request: HttpRequest, pk: int) -> HttpResponse:
    """The form's submissions, newest first; ``?status=spam`` is the spam folder."""
    form = _staff_form(request, pk)
    if form is None:
        return _denied(request)
    status = request.GET.get("status", "")
    qs = WebFormSubmission.objects.filter(form=form).select_related("lead")
    if status in SubmissionStatus.values:
        qs = qs.filter(status=status)
    else:
        status = ""
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = [
        {
            "submission": s,
            "reasons": [str(_REASON_LABELS.get(r, r)) for r in s.spam_reasons],
            "name": " ".join(
                str(s.payload.get(k, "")) for k in ("given_name", "family_name")
            ).strip(),
            "email": str(s.payload.get("email", "")),
        }
        for s in page.object_list
    ]
    return render(
        request,
        "webforms/submissions.html",
        {
            "form": form,
            "rows": rows,
            "page": page,
            "status": status,
            "statuses": SubmissionStatus.choices,
        },
    )


@login_required
@require_POST
def submission_accept(request: HttpRequest, pk: int, submission_id: int) -> HttpResponse:
    """ "Not spam": write the lead of a kept submission."""
    form = _staff_form(request, pk)
    if form is None:
        return _denied(request)
    submission = WebFormSubmission.objects.filter(form=form, pk=submission_id).first()
    if submission is None:
        raise Http404(_("No such submission."))
    back = reverse("webforms:submissions", kwargs={"pk": form.pk}) + f"?status={submission.status}"
    try:
        done = webform_submission_accept(
            actor=actor_from_request(request, Channel.UI), submission=submission
        )
    except RecordPermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect(back)
    except ValidationError as exc:
        messages.error(
            request,
            _("No lead was written: %(problems)s")
            % {
                "problems": " ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
                if hasattr(exc, "error_dict")
                else " ".join(exc.messages)
            },
        )
        return redirect(back)
    messages.success(
        request,
        _("Marked as not spam; lead %(lead)s written.") % {"lead": done.lead},
    )
    return redirect(back)
