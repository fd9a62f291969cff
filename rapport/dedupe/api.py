"""``POST /api/<contacts|leads>/duplicates/``: likely duplicates before a record is saved."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from rapport.dedupe.selectors import person_duplicates


class DuplicateCandidateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    record_type = serializers.CharField()
    record_id = serializers.IntegerField()
    title = serializers.CharField()
    score = serializers.FloatField()
    reasons = serializers.ListField(child=serializers.CharField())


@extend_schema(
    request=None,
    responses=DuplicateCandidateSerializer(many=True),
    parameters=[OpenApiParameter("exclude", int, description="the record being edited")],
)
@action(detail=False, methods=["post"])
def duplicates(self: Any, request: Request) -> Response:
    """Existing records (that you may see) which the posted values probably describe again,
    best first, with a score in [0, 1] and the reasons. Send what you would send to create."""
    if not isinstance(request.data, dict):
        raise ValidationError({"": [_("Expected an object.")]}, code="not_an_object")
    exclude = request.query_params.get("exclude", "")
    if exclude and not exclude.isdigit():
        raise ValidationError({"exclude": [_("Enter the id of a record.")]}, code="invalid")
    candidates = person_duplicates(
        user=request.user,
        record_type=self.record_type.key,
        data=dict(request.data),
        exclude_id=int(exclude) if exclude else None,
    )
    return Response(DuplicateCandidateSerializer(candidates, many=True).data)
