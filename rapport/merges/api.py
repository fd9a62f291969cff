"""``POST /api/<contacts|accounts|leads>/<id>/merge/`` merges another record into this one;
``POST /api/merges/<id>/undo/`` undoes it. Each user sees only their own merges (404 for
anyone else's); administrators see all."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from rapport.framework.api.serializers import actor_from_request
from rapport.framework.base_models import restricted
from rapport.framework.exceptions import RecordNotFound
from rapport.framework.merge import MergeAlreadyUndone, record_merge_undo
from rapport.merges.choices import MergeKeep
from rapport.merges.models import MergeRecord
from rapport.merges.services import records_merge


class MergeUndoConflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("This merge has already been undone.")
    default_code = MergeAlreadyUndone.code


class MergeRequestSerializer(serializers.Serializer[Any]):
    other = serializers.IntegerField(
        help_text=gettext_lazy("The id of the record merged into this one (then deleted).")
    )
    keep = serializers.DictField(
        child=serializers.ChoiceField(choices=MergeKeep.choices),
        required=False,
        default=dict,
        help_text=gettext_lazy(
            "Whose value survives, by field name (custom fields as custom_fields.<key>); "
            "the surviving record's by default."
        ),
    )


class MergeRecordSerializer(serializers.ModelSerializer[MergeRecord]):
    class Meta:
        model = MergeRecord
        fields = [
            "id",
            "record_type",
            "survivor_id",
            "other_id",
            "actor",
            "created_at",
            "undone_at",
        ]
        read_only_fields = fields


@extend_schema(request=MergeRequestSerializer, responses=None)
@action(detail=True, methods=["post"])
def merge(self: Any, request: Request, pk: Any = None) -> Response:
    """Merge another record of this type into this one: field by field the value chosen in
    ``keep`` (this record's by default), tags, custom fields and child rows united, related
    records moved here; the other record is deleted. The answer has this record and the
    ``merge_id`` to undo with."""
    survivor = self.get_object()
    given = MergeRequestSerializer(data=request.data)
    given.is_valid(raise_exception=True)
    other = (
        restricted(self.record_type.model, request.user, "view")
        .filter(pk=given.validated_data["other"])
        .first()
    )
    if other is None:
        raise RecordNotFound()
    result = records_merge(
        actor=actor_from_request(request),
        record_type=self.record_type,
        survivor=survivor,
        other=other,
        keep=dict(given.validated_data["keep"]),
    )
    record = self.get_queryset().get(pk=result.survivor.pk)
    body = self._represent(record, self.get_serializer(record))
    return Response({**body, "merge_id": result.merge.pk})


class MergeViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Merges of two records: see one, undo it."""

    serializer_class = MergeRecordSerializer
    permission_classes = [IsAuthenticated]
    filter_backends: list[Any] = []
    pagination_class = None
    queryset = MergeRecord.objects.none()
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> models.QuerySet[MergeRecord]:
        user: Any = self.request.user
        merges = MergeRecord.objects.all()
        return merges if user.is_superuser else merges.filter(actor=user)

    @extend_schema(request=None, responses=MergeRecordSerializer)
    @action(detail=True, methods=["post"])
    def undo(self, request: Request, pk: Any = None) -> Response:
        """Bring the merged record back under its id, move back what the merge moved and
        restore the surviving record's values. Only once."""
        merge = self.get_object()
        try:
            merge = record_merge_undo(actor=actor_from_request(request), merge=merge)
        except MergeAlreadyUndone:
            raise MergeUndoConflict() from None
        return Response(self.get_serializer(merge).data)
