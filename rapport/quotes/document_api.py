"""API actions of a quote's document, for staff: ``GET /api/quotes/{id}/pdf/`` (the PDF in
the quote's language) and ``POST /api/quotes/{id}/send/`` (email it to the customer with the
accept/decline link). Attached through the quotes record type's ``extra_actions``."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import renderers, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from rapport.framework.api.serializers import actor_from_request
from rapport.quotes.document_views import pdf_response, site_url
from rapport.quotes.sending import MESSAGE_MAX, quote_send


class PdfRenderer(renderers.BaseRenderer):
    """Lets a client ask for ``Accept: application/pdf``; the PDF itself is returned as
    bytes, errors as JSON problem details."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data: Any, accepted_media_type: Any = None, context: Any = None) -> Any:
        if isinstance(data, bytes):
            return data
        return renderers.JSONRenderer().render(data)


class QuoteSendSerializer(serializers.Serializer[Any]):
    to = serializers.EmailField(
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("The address to send to; the recipient contact's by default."),
    )
    message = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=MESSAGE_MAX,
        help_text=gettext_lazy("A personal message above the quote in the email."),
    )


class QuoteSentSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    status = serializers.CharField()
    sent_at = serializers.DateTimeField()
    recipient = serializers.EmailField()


@extend_schema(
    responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)},
)
@action(
    detail=True,
    methods=["get"],
    renderer_classes=[renderers.JSONRenderer, PdfRenderer],
)
def pdf(self: Any, request: Request, pk: Any = None) -> HttpResponse:
    """The quote as a PDF in the customer's language (``?inline=1`` to show rather than
    download)."""
    quote = self.get_object()
    return pdf_response(quote, download=request.query_params.get("inline") != "1")


@extend_schema(request=QuoteSendSerializer, responses=QuoteSentSerializer)
@action(detail=True, methods=["post"])
def send(self: Any, request: Request, pk: Any = None) -> Response:
    """Email the quote to its recipient contact (or ``to``) with the PDF attached and a link
    to accept or decline it; the quote becomes sent. Refused (400) while a manager's approval
    is pending, or when there is no address to send to."""
    quote = self.get_object()
    given = QuoteSendSerializer(data=request.data)
    given.is_valid(raise_exception=True)
    sent = quote_send(
        actor=actor_from_request(request),
        quote=quote,
        to=given.validated_data.get("to") or None,
        message=given.validated_data.get("message", ""),
        site_url=site_url(request),
    )
    return Response(
        QuoteSentSerializer(
            {
                "id": sent.quote.pk,
                "status": sent.quote.status,
                "sent_at": sent.quote.sent_at,
                "recipient": sent.recipient,
            }
        ).data
    )


DOCUMENT_ACTIONS = (pdf, send)
