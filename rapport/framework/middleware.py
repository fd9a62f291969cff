"""Request ids, and problem documents for API errors raised outside DRF views."""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from rapport.identity.access import access_new_generation

logger = logging.getLogger(__name__)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    """Give each request an id (kept from X-Request-ID when well-formed) and fresh access."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        access_new_generation()
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex  # type: ignore[attr-defined]
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id  # type: ignore[attr-defined]
        return response


# The same codes DRF gives these statuses, so a client sees one vocabulary.
_STATUS_PROBLEMS = {
    400: ("parse_error", "Bad request"),
    403: ("permission_denied", "Forbidden"),
    404: ("not_found", "Not found"),
    405: ("method_not_allowed", "Method not allowed"),
    413: ("payload_too_large", "Request body too large"),
    500: ("server_error", "Server error"),
}


def _problem(status: int, code: str, title: str) -> HttpResponse:
    body = {
        "type": f"https://rapport.dev/problems/{code}",
        "title": title,
        "status": status,
        "code": code,
    }
    return HttpResponse(json.dumps(body), status=status, content_type="application/problem+json")


class ApiProblemMiddleware:
    """Under /api/, turn Django's HTML error pages (unknown URL, crash) into problem JSON."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith(
                ("application/problem+json", "application/json")
            )
        ):
            code, title = _STATUS_PROBLEMS.get(response.status_code, ("error", "Error"))
            return _problem(response.status_code, code, title)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if request.path.startswith("/api/"):
            logger.exception("unhandled API error", exc_info=exception)
            return _problem(500, "server_error", "Server error")
        return None
