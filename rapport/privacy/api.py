"""REST actions of the privacy app, added to the contacts and leads record types (records.py):

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
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response

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


def _person(view: Any, request: Request, pk: Any) -> Any:
    return person_get(user=request.user, person_type=view.record_type.key, pk=int(pk))


def _consent_state(request: Request, person: Any) -> dict[str, Any]:
    current = consent_current(user=request.user, person=person)
    return {
        "current": {k: ConsentSerializer(v).data if v else None for k, v in current.items()},
        "history": ConsentSerializer(
            consent_history(user=request.user, person=person), many=True
        ).data,
    }


@extend_schema(methods=["GET"], responses=ConsentStateSerializer)
@extend_schema(methods=["POST"], request=ConsentInputSerializer, responses={201: ConsentSerializer})
@action(detail=True, methods=["get", "post"])
def consents(self: Any, request: Request, pk: Any = None) -> Response:
    """The consents of a person: current state per purpose and the full history (GET), or a
    consent recorded (POST)."""
    person = _person(self, request, pk)
    if request.method == "GET":
        return Response(_consent_state(request, person))
    ser = ConsentInputSerializer(data=request.data)
    ser.is_valid(raise_exception=True)
    consent = consent_record(actor=actor_from_request(request), person=person, **ser.validated_data)
    return Response(ConsentSerializer(consent).data, status=status.HTTP_201_CREATED)


@extend_schema(request=ConsentWithdrawSerializer, responses={201: ConsentSerializer})
@action(detail=True, methods=["post"], url_path="consents/withdraw")
def consents_withdraw(self: Any, request: Request, pk: Any = None) -> Response:
    """Withdraw the person's consent for one purpose."""
    person = _person(self, request, pk)
    ser = ConsentWithdrawSerializer(data=request.data)
    ser.is_valid(raise_exception=True)
    consent = consent_withdraw(
        actor=actor_from_request(request), person=person, **ser.validated_data
    )
    return Response(ConsentSerializer(consent).data, status=status.HTTP_201_CREATED)


@extend_schema(
    parameters=[
        OpenApiParameter("format", str, enum=ExportFormat.values, description="json or html")
    ],
    responses={
        (200, "application/json"): OpenApiTypes.OBJECT,
        (200, "text/html"): OpenApiTypes.STR,
    },
)
@action(
    detail=True,
    methods=["get"],
    url_path="personal-data",
    content_negotiation_class=JsonOnlyNegotiation,
)
def personal_data(self: Any, request: Request, pk: Any = None) -> Response | HttpResponse:
    """Everything held about the person (subject access request), as JSON or an HTML page."""
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
    person = _person(self, request, pk)
    data = person_data_export(
        actor=actor_from_request(request), person=person, export_format=export_format
    )
    if export_format == ExportFormat.HTML:
        html = render_to_string("privacy/personal_data.html", {"data": data}, request=request)
        return HttpResponse(html, content_type="text/html; charset=utf-8")
    return Response(data)


@extend_schema(request=None, responses={200: ErasureSerializer})
@action(detail=True, methods=["post"])
def erase(self: Any, request: Request, pk: Any = None) -> Response:
    """Anonymise the person everywhere. Irreversible; needs change and delete access."""
    person = _person(self, request, pk)
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


PERSON_ACTIONS = (consents, consents_withdraw, personal_data, erase)
