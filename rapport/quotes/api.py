"""REST shape of quotes and their lines, and the quote workflow actions."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from rapport.framework.api.serializers import (
    ChildSerializer,
    OwnedRecordSerializer,
    actor_from_request,
)
from rapport.orders.api import OrderSerializer
from rapport.orders.services import order_create_from_quote
from rapport.quotes.models import LINE_FIELDS, Quote, QuoteLine
from rapport.quotes.services import (
    quote_approve,
    quote_reject,
    quote_revise,
    quote_submit_for_approval,
)


class QuoteLineSerializer(ChildSerializer):
    class Meta:
        model = QuoteLine
        fields = list(LINE_FIELDS)
        extra_kwargs = {
            "unit_price": {"required": False, "allow_null": True},
            "currency": {"required": False, "allow_null": True},
            # the services refuse these with their own codes, naming the line's field
            "quantity": {"min_value": None},
            "discount_percent": {"min_value": None, "max_value": None},
        }


class QuoteSerializer(OwnedRecordSerializer):
    """A quote. Account, currency, recipient and name default to the opportunity's; lines
    without a unit price take it from the price book; totals are computed."""

    record_type_key = "quotes"
    lines = QuoteLineSerializer(many=True, required=False)

    class Meta:
        model = Quote
        fields = [
            *OwnedRecordSerializer.RECORD_FIELDS,
            "number",
            "version",
            "previous_version",
            "name",
            "opportunity",
            "account",
            "contact",
            "status",
            "currency",
            "price_book",
            "language",
            "valid_until",
            "terms",
            "notes",
            "lines",
            "subtotal",
            "discount_total",
            "tax_total",
            "total",
            "approved_by",
            "approved_at",
            "approval_note",
            "sent_at",
            "accepted_at",
            "declined_at",
            "decline_reason",
        ]
        read_only_fields = ["status"]
        extra_kwargs = {
            "name": {"required": False},
            "account": {"required": False},
            "currency": {"required": False},
        }


class QuoteNoteSerializer(serializers.Serializer):  # type: ignore[type-arg]
    note = serializers.CharField(required=False, allow_blank=True, default="")


def _answer(view: Any, quote: Quote, code: int = status.HTTP_200_OK) -> Response:
    return Response(QuoteSerializer(quote, context=view.get_serializer_context()).data, status=code)


@extend_schema(request=None, responses={201: QuoteSerializer})
@action(detail=True, methods=["post"])
def revise(self: Any, request: Request, pk: str | None = None) -> Response:
    """Make a new draft version with the same lines; this one becomes superseded."""
    new = quote_revise(actor=actor_from_request(request), quote=self.get_object())
    return _answer(self, new, status.HTTP_201_CREATED)


@extend_schema(request=None, responses=QuoteSerializer)
@action(detail=True, methods=["post"])
def submit(self: Any, request: Request, pk: str | None = None) -> Response:
    """Ask for approval of a draft whose discount is above the approval threshold."""
    quote = quote_submit_for_approval(actor=actor_from_request(request), quote=self.get_object())
    return _answer(self, quote)


@extend_schema(request=QuoteNoteSerializer, responses=QuoteSerializer)
@action(detail=True, methods=["post"])
def approve(self: Any, request: Request, pk: str | None = None) -> Response:
    """Approve a quote awaiting approval (a manager above its owner, or an administrator)."""
    form = QuoteNoteSerializer(data=request.data)
    form.is_valid(raise_exception=True)
    quote = quote_approve(
        actor=actor_from_request(request), quote=self.get_object(), note=form.validated_data["note"]
    )
    return _answer(self, quote)


@extend_schema(request=QuoteNoteSerializer, responses=QuoteSerializer)
@action(detail=True, methods=["post"])
def reject(self: Any, request: Request, pk: str | None = None) -> Response:
    """Refuse a quote awaiting approval, with the reason in ``note``."""
    form = QuoteNoteSerializer(data=request.data)
    form.is_valid(raise_exception=True)
    quote = quote_reject(
        actor=actor_from_request(request), quote=self.get_object(), note=form.validated_data["note"]
    )
    return _answer(self, quote)


@extend_schema(request=None, responses={201: OrderSerializer})
@action(detail=True, methods=["post"], url_path="order")
def create_order(self: Any, request: Request, pk: str | None = None) -> Response:
    """Make the confirmed order of an approved, sent or accepted quote (one per quote)."""
    order = order_create_from_quote(actor=actor_from_request(request), quote=self.get_object())
    return Response(
        OrderSerializer(order, context=self.get_serializer_context()).data,
        status=status.HTTP_201_CREATED,
    )


QUOTE_ACTIONS = (revise, submit, approve, reject, create_order)
