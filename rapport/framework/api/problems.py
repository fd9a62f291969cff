"""Every API error as an RFC 9457 problem-details document.

Shape: ``{"type", "title", "status", "detail", "errors": [{"field", "code", "message"}]}``,
served as ``application/problem+json``. Field paths use dots: ``emails.0.email``,
``custom_fields.budget``, and ``3.name`` for row 3 of a bulk call.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from rapport.framework.exceptions import RecordNotFound, RecordPermissionDenied

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "https://rapport.dev/problems/"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


def flatten_errors(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    """DRF error detail (nested dicts/lists of ErrorDetail) as a flat list of field errors."""
    out: list[dict[str, str]] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            field = str(key) if key != "non_field_errors" else ""
            path = f"{prefix}.{field}" if prefix and field else (prefix or field)
            out.extend(flatten_errors(value, path))
    elif isinstance(detail, list):
        if all(not isinstance(v, (dict, list)) for v in detail):
            for v in detail:
                out.append(
                    {"field": prefix, "code": str(getattr(v, "code", "invalid")), "message": str(v)}
                )
        else:
            for i, v in enumerate(detail):
                if v:
                    out.extend(flatten_errors(v, f"{prefix}.{i}" if prefix else str(i)))
    else:
        out.append(
            {
                "field": prefix,
                "code": str(getattr(detail, "code", "invalid")),
                "message": str(detail),
            }
        )
    return out


def django_validation_detail(exc: DjangoValidationError) -> Any:
    """A Django ValidationError in DRF's nested-detail form, keeping codes."""
    if hasattr(exc, "error_dict"):
        return {
            field: [
                exceptions.ErrorDetail(m, code=e.code or "invalid")
                for e in errs
                for m in e.messages
            ]
            for field, errs in exc.error_dict.items()
        }
    return [
        exceptions.ErrorDetail(m, code=e.code or "invalid")
        for e in exc.error_list
        for m in e.messages
    ]


def problem_response(
    *,
    status_code: int,
    code: str,
    title: str,
    detail: str = "",
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": TYPE_BASE + code,
        "title": title,
        "status": status_code,
        "code": code,
    }
    if detail:
        body["detail"] = detail
    if errors is not None:
        body["errors"] = errors
    response = Response(body, status=status_code, headers=headers)
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, RequestDataTooBig):
        # DRF reads ``request.body`` before a JSON parser runs, so Django's own size check
        # fires first; it would otherwise surface as a server error.
        exc = PayloadTooLarge(
            _("The request body is larger than %(limit)d bytes.")
            % {"limit": int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)}
        )
    elif isinstance(exc, RecordNotFound):
        exc = exceptions.NotFound()
    elif isinstance(exc, RecordPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc), code=exc.code)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(django_validation_detail(exc))
    elif isinstance(exc, (Http404, DjangoPermissionDenied)):
        exc = exceptions.NotFound() if isinstance(exc, Http404) else exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    headers = {
        k: v
        for k, v in response.headers.items()
        if k in ("WWW-Authenticate", "Retry-After", "Allow")
    }
    if isinstance(exc, exceptions.ValidationError):
        return problem_response(
            status_code=response.status_code,
            code="validation_error",
            title=_("The request has invalid values."),
            detail=_("See errors for each field."),
            errors=flatten_errors(exc.detail),
            headers=headers,
        )
    codes = exc.get_codes()
    code = codes if isinstance(codes, str) else exc.default_code
    return problem_response(
        status_code=response.status_code,
        code=str(code),
        title=str(exc.default_detail),
        detail=str(exc.detail),
        headers=headers,
    )
