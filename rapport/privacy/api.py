"""REST endpoints of the privacy app, nested under the person's record type:

``/api/<contacts|leads>/<id>/consents/`` (GET, POST), ``.../consents/withdraw/`` (POST),
``.../personal-data/?format=json|html`` (GET) and ``.../erase/`` (POST).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from rapport.framework.api.problems import problem_response
from rapport.framework.api.serializers import actor_from_request
from rapport.privacy.choices import ConsentPurpose, ConsentSource, ExportFormat
from rapport.privacy.models import Consent
from rapport.privacy.selectors import consent_current, consent_history, person_get
from rapport.privacy.services import (
    PersonAlreadyErased,
    consent_record,
    consent_withdraw,
    person_data_export,
    person_erase,
)


@extend_schema_field(
    {"type": "string", "description": "web_form, import, api, ui or email (blank when unset)"}
)
class ConsentSourceField(serializers.ChoiceField):
    """A consent source. Documented as a plain string: the OpenAPI enum would be named after
    the field, ``source``, which other record types already use for other choices."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=ConsentSource.choices, **kwargs)


class ConsentSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Consent
        fields = [
            "id",
            "purpose",
            "granted",
            "source",
            "wording",
            "recorded_at",
            "recorded_by",
            "withdrawn_at",
            "withdrawn_source",
        ]
        read_only_fields = fields

    source = ConsentSourceField(read_only=True)  # type: ignore[assignment]
    withdrawn_source = ConsentSourceField(read_only=True, allow_blank=True)


class ConsentInputSerializer(serializers.Serializer[Any]):
    purpose = serializers.ChoiceField(choices=ConsentPurpose.choices)
    granted = serializers.BooleanField()
    source = ConsentSourceField()  # type: ignore[assignment]
    wording = serializers.CharField(allow_blank=True, max_length=10000)


class ConsentWithdrawSerializer(serializers.Serializer[Any]):
    purpose = serializers.ChoiceField(choices=ConsentPurpose.choices)
    source = ConsentSourceField()  # type: ignore[assignment]


class ConsentStateSerializer(serializers.Serializer[Any]):
    current = serializers.DictField(child=ConsentSerializer(allow_null=True))
    history = ConsentSerializer(many=True)


class ErasureSerializer(serializers.Serializer[Any]):
    person_type = serializers.CharField()
    person_id = serializers.IntegerField()
    placeholder = serializers.CharField()
    emails_deleted = serializers.IntegerField()
    phones_deleted = serializers.IntegerField()
    activities_scrubbed = serializers.IntegerField()
    changelog_rows_rewritten = serializers.IntegerField()


class JsonOnlyNegotiation(BaseContentNegotiation):
    """``?format=`` chooses the export format here, not the renderer: always answer JSON."""

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> Any:
        return next(iter(parsers), None)

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


class PersonView(APIView):
    person_type: str = ""

    def _state(self, request: Request, pk: int) -> dict[str, Any]:
        person = person_get(user=request.user, person_type=self.person_type, pk=pk)
        current = consent_current(user=request.user, person=person)
        return {
            "current": {k: ConsentSerializer(v).data if v else None for k, v in current.items()},
            "history": ConsentSerializer(
                consent_history(user=request.user, person=person), many=True
            ).data,
        }


class ConsentsView(PersonView):
    """The consents of a person: current state per purpose and the full history."""

    @extend_schema(responses=ConsentStateSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(self._state(request, pk))

    @extend_schema(request=ConsentInputSerializer, responses={201: ConsentSerializer})
    def post(self, request: Request, pk: int) -> Response:
        person = person_get(user=request.user, person_type=self.person_type, pk=pk)
        ser = ConsentInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        consent = consent_record(
            actor=actor_from_request(request), person=person, **ser.validated_data
        )
        return Response(ConsentSerializer(consent).data, status=status.HTTP_201_CREATED)


class ConsentWithdrawView(PersonView):
    """Withdraw the person's consent for one purpose."""

    @extend_schema(request=ConsentWithdrawSerializer, responses={201: ConsentSerializer})
    def post(self, request: Request, pk: int) -> Response:
        person = person_get(user=request.user, person_type=self.person_type, pk=pk)
        ser = ConsentWithdrawSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        consent = consent_withdraw(
            actor=actor_from_request(request), person=person, **ser.validated_data
        )
        return Response(ConsentSerializer(consent).data, status=status.HTTP_201_CREATED)


class PersonalDataView(PersonView):
    """Everything held about the person (subject access request), as JSON or an HTML page."""

    content_negotiation_class = JsonOnlyNegotiation

    @extend_schema(
        parameters=[
            OpenApiParameter("format", str, enum=ExportFormat.values, description="json or html")
        ],
        responses={
            (200, "application/json"): OpenApiTypes.OBJECT,
            (200, "text/html"): OpenApiTypes.STR,
        },
    )
    def get(self, request: Request, pk: int) -> Response | HttpResponse:
        export_format = request.query_params.get("format", ExportFormat.JSON)
        if export_format not in ExportFormat.values:
            raise ValidationError(
                {
                    "format": [
                        _("Unknown format; choose from %(choices)s.")
                        % {"choices": ", ".join(ExportFormat.values)}
                    ]
                },
                code="invalid_choice",
            )
        person = person_get(user=request.user, person_type=self.person_type, pk=pk)
        data = person_data_export(
            actor=actor_from_request(request), person=person, export_format=export_format
        )
        if export_format == ExportFormat.HTML:
            html = render_to_string("privacy/personal_data.html", {"data": data}, request=request)
            return HttpResponse(html, content_type="text/html; charset=utf-8")
        return Response(data)


class EraseView(PersonView):
    """Anonymise the person everywhere. Irreversible; needs change and delete access."""

    @extend_schema(request=None, responses={200: ErasureSerializer})
    def post(self, request: Request, pk: int) -> Response:
        person = person_get(user=request.user, person_type=self.person_type, pk=pk)
        try:
            erasure = person_erase(actor=actor_from_request(request), person=person)
        except PersonAlreadyErased:
            return problem_response(
                status_code=status.HTTP_409_CONFLICT,
                code="already_erased",
                title=_("This person has already been erased."),
                detail=_("An erasure cannot be repeated or undone."),
            )
        return Response(ErasureSerializer(erasure).data)
