"""Serializers of web forms (designed by administrators) and the read-only submissions API."""

from __future__ import annotations

import json
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.fields import empty
from rest_framework.permissions import IsAdminUser

from rapport.framework.api.pagination import RecordCursorPagination
from rapport.framework.api.serializers import RecordSerializer
from rapport.identity.models import User
from rapport.webforms import design
from rapport.webforms.choices import SubmissionStatus
from rapport.webforms.models import WebForm, WebFormSubmission


class JsonText(list[Any]):
    """A list that prints as JSON: the generated edit form shows it as editable JSON text,
    while the API renders it as the list it is."""

    def __str__(self) -> str:
        return json.dumps(self, ensure_ascii=False, indent=1)


class JsonTextObject(dict[str, Any]):
    def __str__(self) -> str:
        return json.dumps(self, ensure_ascii=False, indent=1)


class JsonTextField(serializers.CharField):
    """A JSON list (or object) that the API takes as JSON and the web form as JSON text.

    A CharField to the generated UI (so it gets a text area); the value is parsed JSON.
    """

    def __init__(self, *, expect: type = list, **kwargs: Any) -> None:
        self.expect = expect
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def run_validation(self, data: Any = empty) -> Any:
        is_empty, value = self.validate_empty_values(data)
        if is_empty:
            return value
        return self.to_internal_value(data)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str):
            if not data.strip():
                return self.expect()
            try:
                data = json.loads(data)
            except json.JSONDecodeError as exc:
                raise ValidationError(
                    _("Not valid JSON: %(error)s (line %(line)d, column %(column)d).")
                    % {"error": exc.msg, "line": exc.lineno, "column": exc.colno},
                    code="invalid_json",
                ) from None
        if not isinstance(data, self.expect):
            raise ValidationError(
                _("Expected a JSON list.") if self.expect is list else _("Expected a JSON object."),
                code="invalid_type",
            )
        return data

    def to_representation(self, value: Any) -> Any:
        if isinstance(value, dict):
            return JsonTextObject(value)
        return JsonText(value or [])


extend_schema_field({"type": "array", "items": {"type": "object"}})(JsonTextField)


class WebFormSerializer(RecordSerializer):
    record_type_key = "web-forms"

    fields = JsonTextField(  # type: ignore[assignment]
        required=True,
        help_text=_(
            'A JSON list: [{"name": "email", "required": true, "label": {"en": "Email", '
            '"zh-hans": "电子邮件"}}]. name is a lead field or cf.<custom field>.'
        ),
    )
    consents = JsonTextField(
        help_text=_(
            'A JSON list: [{"purpose": "marketing_email", "required": false, "wording": '
            '{"en": "...", "zh-hans": "..."}}]; the wording is stored with each consent.'
        )
    )
    thank_you = JsonTextField(
        expect=dict,
        help_text=_('Shown after sending, per language: {"en": "Thank you!", "zh-hans": "谢谢"}'),
    )
    allowed_origins = JsonTextField(
        help_text=_('Sites that may embed the form: ["https://www.example.com"]'),
    )
    lead_owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))

    class Meta:
        model = WebForm
        fields = [
            "id",
            "name",
            "slug",
            "active",
            "fields",
            "consents",
            "thank_you",
            "redirect_url",
            "allowed_origins",
            "lead_owner",
            "lead_team",
        ]

    def validate_fields(self, value: list[Any]) -> list[Any]:
        errors = design.fields_errors(value)
        if errors:
            raise ValidationError(errors, code="invalid_fields")
        return value

    def validate_consents(self, value: list[Any]) -> list[Any]:
        errors = design.consents_errors(value)
        if errors:
            raise ValidationError(errors, code="invalid_consents")
        return value

    def validate_allowed_origins(self, value: list[Any]) -> list[str]:
        errors = design.origins_errors(value)
        if errors:
            raise ValidationError(errors, code="invalid_origin")
        return [design.origin_of(v) for v in value]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        instance: WebForm | None = self.instance
        redirect = attrs.get("redirect_url", instance.redirect_url if instance else "")
        thank_you = attrs.get("thank_you", instance.thank_you if instance else {})
        if "thank_you" in attrs or "redirect_url" in attrs or instance is None:
            errors = design.thank_you_errors(thank_you, redirect)
            if errors:
                raise ValidationError({"thank_you": errors}, code="invalid_thank_you")
        return attrs


class WebFormSubmissionSerializer(serializers.ModelSerializer[WebFormSubmission]):
    class Meta:
        model = WebFormSubmission
        fields = [
            "id",
            "form",
            "created_at",
            "status",
            "spam_reasons",
            "problems",
            "lead",
            "lead_outcome",
            "ip",
            "user_agent",
            "referrer",
            "utm_source",
            "utm_medium",
            "utm_campaign",
            "utm_term",
            "utm_content",
            "payload",
            "reviewed_by",
        ]
        read_only_fields = fields


class SubmissionPagination(RecordCursorPagination):
    ordering = ("-created_at", "-id")  # type: ignore[assignment]  # DRF accepts a tuple


@extend_schema(
    parameters=[
        OpenApiParameter("form", int, description="only this form's submissions"),
        OpenApiParameter("status", str, enum=SubmissionStatus.values),
    ]
)
class WebFormSubmissionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """Submissions of web forms, newest first (staff only: they hold personal data and spam)."""

    serializer_class = WebFormSubmissionSerializer
    permission_classes = [IsAdminUser]
    pagination_class = SubmissionPagination
    queryset = WebFormSubmission.objects.none()

    def get_queryset(self) -> QuerySet[WebFormSubmission]:
        qs = WebFormSubmission.objects.all()
        if self.action != "list":
            return qs
        params = self.request.query_params
        form = params.get("form", "")
        if form:
            if not form.isdigit():
                raise ValidationError({"form": [_("Enter the id of a form.")]}, code="invalid")
            qs = qs.filter(form_id=int(form))
        status = params.get("status", "")
        if status:
            if status not in SubmissionStatus.values:
                raise ValidationError(
                    {"status": [_("Choose accepted, spam or rejected.")]}, code="invalid_choice"
                )
            qs = qs.filter(status=status)
        return qs
