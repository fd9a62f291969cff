"""The lead serializer and the conversion endpoint (``GET``/``POST /api/leads/<id>/convert/``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from rapport.accounts.models import Account
from rapport.framework.api.serializers import OwnedRecordSerializer, actor_from_request
from rapport.framework.base_models import restricted
from rapport.leads.conversion import Conversion, OpportunityInput, lead_convert
from rapport.leads.models import Lead
from rapport.leads.selectors import lead_account_candidates
from rapport.opportunities.models import Pipeline


class LeadSerializer(OwnedRecordSerializer):
    record_type_key = "leads"

    class Meta:
        model = Lead
        fields = [
            *OwnedRecordSerializer.RECORD_FIELDS,
            "salutation",
            "given_name",
            "family_name",
            "display_name",
            "email",
            "phone",
            "phone_e164",
            "job_title",
            "company",
            "website",
            "industry",
            "employee_count",
            "city",
            "region",
            "country",
            "source",
            "status",
            "disqualified_reason",
            "rating",
            "description",
            "rule_score",
            "learned_score",
            "score_reasons",
            "converted_at",
            "converted_account",
            "converted_contact",
            "converted_opportunity",
            "response_due_at",
            "responded_at",
            "sla_reminded_at",
            "sla_escalated_at",
        ]
        read_only_fields = [
            "display_name",
            "phone_e164",
            "rule_score",
            "learned_score",
            "score_reasons",
            "converted_at",
            "converted_account",
            "converted_contact",
            "converted_opportunity",
            "response_due_at",
            "responded_at",
            "sla_reminded_at",
            "sla_escalated_at",
        ]


class ConvertRequestSerializer(serializers.Serializer[Any]):
    account = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=gettext_lazy(
            "An existing account to join (one of the candidates); empty: a new account from "
            "the lead's company."
        ),
    )
    create_opportunity = serializers.BooleanField(required=False, default=False)
    opportunity_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    amount = serializers.DecimalField(
        required=False, allow_null=True, max_digits=18, decimal_places=2
    )
    currency = serializers.CharField(required=False, allow_blank=True, max_length=3)
    pipeline = serializers.PrimaryKeyRelatedField(
        queryset=Pipeline.objects.all(), required=False, allow_null=True
    )
    close_date = serializers.DateField(required=False, allow_null=True)


class AccountCandidateSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="account.pk")
    name = serializers.CharField(source="account.name")
    website = serializers.CharField(source="account.website")
    reasons = serializers.CharField()


class ConversionSerializer(serializers.Serializer[Any]):
    lead = serializers.IntegerField(source="lead.pk")
    account = serializers.IntegerField(source="account.pk")
    account_created = serializers.BooleanField()
    contact = serializers.IntegerField(source="contact.pk")
    opportunity = serializers.IntegerField(source="opportunity.pk", allow_null=True)
    activities_moved = serializers.IntegerField()
    consents_moved = serializers.IntegerField()


def conversion_from_input(
    *, request: Any, lead: Lead, given: dict[str, Any], channel: Any = None
) -> Conversion:
    """Convert ``lead`` with validated conversion input (API and form alike)."""
    account = None
    if given.get("account"):
        account = restricted(Account, request.user, "view").filter(pk=given["account"]).first()
        if account is None:
            raise ValidationError(
                {
                    "account": ValidationError(
                        _("No such record, or you may not see it."), code="does_not_exist"
                    )
                }
            )
    actor = actor_from_request(request, channel) if channel else actor_from_request(request)
    return lead_convert(
        actor=actor,
        lead=lead,
        account=account,
        create_opportunity=bool(given.get("create_opportunity")),
        opportunity=OpportunityInput(
            name=given.get("opportunity_name") or "",
            amount=given.get("amount"),
            currency=(given.get("currency") or "").upper(),
            pipeline=given.get("pipeline"),
            close_date=given.get("close_date"),
        ),
    )


@extend_schema(
    methods=["GET"],
    request=None,
    responses=AccountCandidateSerializer(many=True),
    filters=False,
    operation_id="leads_convert_candidates",
)
@extend_schema(
    methods=["POST"],
    request=ConvertRequestSerializer,
    responses={201: ConversionSerializer},
    operation_id="leads_convert",
)
@action(detail=True, methods=["get", "post"], pagination_class=None)
def convert(self: Any, request: Request, pk: Any = None) -> Response:
    """``GET``: the existing accounts the lead may join (the account duplicate matcher's
    candidates, best first). ``POST``: convert the lead into an account (existing or new), a
    contact and optionally an opportunity, in one transaction; refused with
    ``already_converted`` for a lead converted before."""
    lead = self.get_object()
    if request.method == "GET":
        found = lead_account_candidates(user=request.user, lead=lead)
        return Response(AccountCandidateSerializer(found, many=True).data)
    given = ConvertRequestSerializer(data=request.data)
    given.is_valid(raise_exception=True)
    result = conversion_from_input(request=request, lead=lead, given=dict(given.validated_data))
    return Response(ConversionSerializer(result).data, status=201)
