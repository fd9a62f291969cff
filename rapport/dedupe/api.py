"""``POST /api/<contacts|leads>/duplicates/``: likely duplicates before a record is saved;
``/api/duplicate-pairs/`` and ``/api/duplicate-scans/``: the duplicate review queue."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from rapport.dedupe.choices import DuplicatePairStatus, DuplicateRecordType
from rapport.dedupe.models import DuplicatePair, DuplicateScan
from rapport.dedupe.selectors import (
    duplicate_pair_titles,
    duplicate_pairs_visible,
    person_duplicates,
)
from rapport.dedupe.services import duplicate_pair_dismiss, duplicate_scan_start
from rapport.framework.api.pagination import RecordCursorPagination


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


class DuplicateRecordSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    title = serializers.CharField()


class DuplicatePairSerializer(serializers.ModelSerializer[DuplicatePair]):
    left = serializers.SerializerMethodField()
    right = serializers.SerializerMethodField()

    class Meta:
        model = DuplicatePair
        fields = ["id", "record_type", "left", "right", "score", "reasons", "status", "found_at"]
        read_only_fields = fields

    def _record(self, record_id: int) -> dict[str, Any]:
        return {"id": record_id, "title": self.context.get("titles", {}).get(record_id, "")}

    @extend_schema_field(DuplicateRecordSerializer)
    def get_left(self, pair: DuplicatePair) -> dict[str, Any]:
        return self._record(pair.left_id)

    @extend_schema_field(DuplicateRecordSerializer)
    def get_right(self, pair: DuplicatePair) -> dict[str, Any]:
        return self._record(pair.right_id)


class DuplicatePairPagination(RecordCursorPagination):
    """Best score first; ties in the order the pairs were found."""

    ordering = ("-score", "id")  # type: ignore[assignment]  # DRF accepts a tuple


@extend_schema(
    parameters=[
        OpenApiParameter("record_type", str, enum=DuplicateRecordType.values, required=True),
        OpenApiParameter("status", str, enum=DuplicatePairStatus.values),
    ]
)
class DuplicatePairViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """The duplicate review queue: pairs whose two records you may both see, best first."""

    serializer_class = DuplicatePairSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = DuplicatePairPagination
    queryset = DuplicatePair.objects.none()

    def _record_type(self) -> str:
        value = self.request.query_params.get("record_type", DuplicateRecordType.CONTACTS)
        if value not in DuplicateRecordType.values:
            raise ValidationError(
                {"record_type": [_("Choose contacts or leads.")]}, code="invalid_choice"
            )
        return value

    def get_queryset(self) -> QuerySet[DuplicatePair]:
        pairs = duplicate_pairs_visible(user=self.request.user, record_type=self._record_type())
        if self.action == "list":
            status = self.request.query_params.get("status", DuplicatePairStatus.OPEN)
            if status not in DuplicatePairStatus.values:
                raise ValidationError(
                    {"status": [_("Choose open, dismissed or merged.")]}, code="invalid_choice"
                )
            pairs = pairs.filter(status=status)
        return pairs

    def get_object(self) -> DuplicatePair:
        pair = DuplicatePair.objects.filter(pk=self.kwargs["pk"]).first()
        if pair is None:
            raise NotFound()
        visible = duplicate_pairs_visible(user=self.request.user, record_type=pair.record_type)
        if not visible.filter(pk=pair.pk).exists():
            raise NotFound()
        return pair

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset()) or []
        titles = duplicate_pair_titles(record_type=self._record_type(), pairs=page)
        context = {**self.get_serializer_context(), "titles": titles}
        data = DuplicatePairSerializer(page, many=True, context=context).data
        return self.get_paginated_response(data)

    @extend_schema(request=None, responses=DuplicatePairSerializer)
    @action(detail=True, methods=["post"])
    def dismiss(self, request: Request, pk: Any = None) -> Response:
        """Not a duplicate: later scans keep the pair dismissed. Needs change access to both
        records."""
        pair = duplicate_pair_dismiss(actor=request.user, pair=self.get_object())
        titles = duplicate_pair_titles(record_type=pair.record_type, pairs=[pair])
        context = {**self.get_serializer_context(), "titles": titles}
        return Response(DuplicatePairSerializer(pair, context=context).data)


class IsAdministrator(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.is_superuser)


class DuplicateScanSerializer(serializers.ModelSerializer[DuplicateScan]):
    class Meta:
        model = DuplicateScan
        fields = [
            "id",
            "record_type",
            "status",
            "started_at",
            "finished_at",
            "threshold",
            "record_count",
            "candidate_count",
            "pair_count",
            "seconds",
            "error",
        ]
        read_only_fields = [f for f in fields if f != "record_type"]


class DuplicateScanViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """Batch scans that fill the duplicate review queue; administrators only. Creating one
    starts it in the background."""

    serializer_class = DuplicateScanSerializer
    permission_classes = [IsAuthenticated, IsAdministrator]
    queryset = DuplicateScan.objects.all()

    def perform_create(self, serializer: DuplicateScanSerializer) -> None:  # type: ignore[override]
        serializer.instance = duplicate_scan_start(
            record_type=serializer.validated_data["record_type"], started_by=self.request.user
        )
