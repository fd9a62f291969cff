"""REST viewsets generated from the record-type declarations."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from rapport.core.selectors import record_changes
from rapport.framework.api.export import ExportMixin
from rapport.framework.api.pagination import ChangeLogPagination
from rapport.framework.api.parsers import LimitedJSONParser
from rapport.framework.api.problems import django_validation_detail
from rapport.framework.api.readers import PageReader, page_reader
from rapport.framework.api.serializers import actor_from_request
from rapport.framework.base_models import restricted
from rapport.framework.exceptions import RecordNotFound, RecordPermissionDenied
from rapport.framework.registry import RecordType
from rapport.framework.services import record_delete
from rapport.framework.timeline import record_timeline
from rapport.identity.choices import ShareLevel
from rapport.identity.models import RecordShare, Team, User
from rapport.identity.services import record_share_grant, record_share_revoke


class ChangeLogEntrySerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    time = serializers.DateTimeField()
    action = serializers.CharField()
    actor_kind = serializers.CharField()
    user = serializers.IntegerField(source="user_id", allow_null=True)
    token = serializers.IntegerField(source="token_id", allow_null=True)
    channel = serializers.CharField()
    request_id = serializers.CharField()
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)


class DataQualitySerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    title = serializers.CharField()
    count = serializers.IntegerField()
    records = serializers.URLField()


class TimelineItemSerializer(serializers.Serializer[Any]):
    time = serializers.DateTimeField()
    kind = serializers.CharField()
    title = serializers.CharField()
    detail = serializers.JSONField()


def _prefixed(detail: Any, index: int) -> Any:
    if isinstance(detail, dict):
        return {
            f"{index}.{k}" if k != "non_field_errors" else str(index): v for k, v in detail.items()
        }
    return {str(index): detail}


class RecordViewSet(ExportMixin, viewsets.ModelViewSet):  # type: ignore[type-arg]
    """List, retrieve, create, update, delete, bulk, export, change history and timeline."""

    record_type: ClassVar[RecordType]
    parser_classes = [LimitedJSONParser]  # records are JSON only

    def get_queryset(self) -> models.QuerySet[Any]:
        rt = self.record_type
        qs = restricted(rt.model, self.request.user, "view")
        if rt.select_related:
            qs = qs.select_related(*rt.select_related)
        if rt.prefetch_related and not (self.action in ("list", "retrieve") and self._reader()):
            qs = qs.prefetch_related(*rt.prefetch_related)
        return qs

    def filter_queryset(self, queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
        """List filters apply to lists; a single record is found by its id alone."""
        if getattr(self, "detail", False):
            return queryset
        return super().filter_queryset(queryset)

    def _reader(self) -> PageReader | None:
        return page_reader(self.get_serializer_class())  # type: ignore[arg-type]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "expand",
                str,
                description="Nested lists to include in each row, comma-separated "
                "(e.g. emails,phones,memberships); a single record always has them all.",
            )
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """A page of records: read as rows by the compiled page reader (the serializer's output,
        nested lists only when asked for with ``?expand=``)."""
        reader = self._reader()
        queryset = self.filter_queryset(self.get_queryset())
        if reader is None:
            return super().list(request, *args, **kwargs)
        page = self.paginate_queryset(reader.values(queryset))
        expand = [n for n in request.query_params.get("expand", "").split(",") if n]
        unknown = sorted(set(expand) - set(reader.child_names))
        if unknown:
            raise ValidationError(
                {
                    "expand": [
                        _("Cannot expand: %(names)s (choose from %(all)s).")
                        % {"names": ", ".join(unknown), "all": ", ".join(reader.child_names)}
                    ]
                }
            )
        data = reader.read(page if page is not None else reader.values(queryset), children=expand)
        return self.get_paginated_response(data) if page is not None else Response(data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = serializer.save()
        return Response(self._represent(record, serializer), status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        partial = kwargs.pop("partial", False)
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        record = serializer.save()
        return Response(self._represent(record, serializer))

    def _represent(self, record: models.Model, serializer: Any) -> Any:
        reader = self._reader()
        return reader.read_instances([record])[0] if reader else serializer.data

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        reader = self._reader()
        if reader is None:
            return super().retrieve(request, *args, **kwargs)
        return Response(reader.read_instances([self.get_object()])[0])

    def get_object(self) -> models.Model:
        """The record, 404 if the user may not see it; for writes, 403 before any validation
        if they may see it but not change or delete it."""
        record: models.Model = super().get_object()
        action = {"PUT": "change", "PATCH": "change", "DELETE": "delete"}.get(
            self.request.method or ""
        )
        if (
            action
            and self.action in ("update", "partial_update", "destroy")
            and not restricted(self.record_type.model, self.request.user, action)
            .filter(pk=record.pk)
            .exists()
        ):
            raise RecordPermissionDenied()
        return record

    def perform_destroy(self, instance: models.Model) -> None:
        record_delete(
            actor=actor_from_request(self.request), record_type=self.record_type, record=instance
        )

    @extend_schema(request=None, responses=None)
    @action(detail=False, methods=["post", "patch"], url_path="bulk")
    def bulk(self, request: Request) -> Response:
        """Create (POST) or update (PATCH, each item with its ``id``) up to 1,000 records in
        one transaction: one bad row and nothing is written."""
        items = request.data
        limit = settings.RAPPORT_BULK_MAX
        if not isinstance(items, list):
            raise ValidationError({"": [_("Expected a list of records.")]}, code="not_a_list")
        if not items or len(items) > limit:
            raise ValidationError(
                {"": [_("Send between 1 and %(n)d records.") % {"n": limit}]}, code="bulk_size"
            )
        partial = request.method == "PATCH"
        instances: dict[Any, models.Model] = {}
        if partial:
            ids = [item.get("id") if isinstance(item, dict) else None for item in items]
            instances = {
                obj.pk: obj
                for obj in self.get_queryset().filter(pk__in=[i for i in ids if i is not None])
            }
        serializers_: list[serializers.BaseSerializer[Any]] = []
        errors: dict[str, Any] = {}
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                errors[str(index)] = [_("Expected an object.")]
                continue
            instance = None
            if partial:
                instance = instances.get(item.get("id"))
                if instance is None:
                    errors[f"{index}.id"] = [_("No such record, or you may not see it.")]
                    continue
            ser = self.get_serializer(instance, data=item, partial=partial)
            if not ser.is_valid():
                errors.update(_prefixed(ser.errors, index))
            serializers_.append(ser)
        if errors:
            raise ValidationError(errors)
        saved = []
        with transaction.atomic():
            for index, ser in enumerate(serializers_):
                try:
                    saved.append(ser.save())
                except DjangoValidationError as exc:
                    raise ValidationError(_prefixed(django_validation_detail(exc), index)) from None
        out = self.get_serializer(saved, many=True)
        return Response(out.data, status=status.HTTP_200_OK if partial else status.HTTP_201_CREATED)

    @extend_schema(responses=DataQualitySerializer(many=True))
    @action(detail=False, methods=["get"], url_path="data-quality")
    def data_quality(self, request: Request) -> Response:
        """How many of the records you may see fail each data-quality check, with the list of
        them (``?quality=<check>``)."""
        base = restricted(self.record_type.model, request.user, "view")
        list_url = request.build_absolute_uri(request.path.rsplit("data-quality/", 1)[0])
        rows = [
            {
                "key": c.key,
                "title": str(c.label),
                "count": c.apply(base).count(),
                "records": f"{list_url}?quality={c.key}",
            }
            for c in self.record_type.quality_checks
        ]
        return Response(DataQualitySerializer(rows, many=True).data)

    @extend_schema(responses=ChangeLogEntrySerializer(many=True))
    @action(detail=True, methods=["get"])
    def changes(self, request: Request, pk: Any = None) -> Response:
        """The change log of this record, newest first."""
        record = self.get_object()
        entries = record_changes(record)
        # Its own paginator: the view's would order entries by the record type's fields.
        paginator = ChangeLogPagination()
        page = paginator.paginate_queryset(entries, request)
        data = ChangeLogEntrySerializer(page, many=True).data
        return paginator.get_paginated_response(data)

    @extend_schema(responses=TimelineItemSerializer(many=True))
    @action(detail=True, methods=["get"])
    def timeline(self, request: Request, pk: Any = None) -> Response:
        """Activities and field changes of this record on one timeline, newest first."""
        record = self.get_object()
        items = record_timeline(user=request.user, record=record)
        return Response(TimelineItemSerializer(items, many=True).data)


class RecordShareSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = RecordShare
        fields = ["id", "user", "team", "level", "created_at"]
        read_only_fields = ["created_at"]


class SharingMixin:
    """``/api/<type>/<id>/shares/``: who else a record is shared with (owned types only)."""

    @extend_schema(request=RecordShareSerializer, responses=RecordShareSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def shares(self, request: Request, pk: Any = None) -> Response:
        record = self.get_object()  # type: ignore[attr-defined]
        content_type = ContentType.objects.get_for_model(type(record))
        if request.method == "POST":
            ser = RecordShareSerializer(data=request.data)
            ser.is_valid(raise_exception=True)
            share = record_share_grant(
                actor=actor_from_request(request),
                record=record,
                user=ser.validated_data.get("user"),
                team=ser.validated_data.get("team"),
                level=ser.validated_data.get("level", ShareLevel.READ),
            )
            return Response(RecordShareSerializer(share).data, status=status.HTTP_201_CREATED)
        shares = RecordShare.objects.filter(content_type=content_type, object_id=record.pk)
        return Response(RecordShareSerializer(shares.order_by("id"), many=True).data)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"shares/(?P<share_id>\d+)")
    def unshare(self, request: Request, pk: Any = None, share_id: str = "") -> Response:
        record = self.get_object()  # type: ignore[attr-defined]
        share = RecordShare.objects.filter(pk=int(share_id)).first()
        if share is None:
            raise RecordNotFound()
        record_share_revoke(actor=actor_from_request(request), record=record, share=share)
        return Response(status=status.HTTP_204_NO_CONTENT)


def viewset_for(record_type: RecordType) -> type[RecordViewSet]:
    """The REST viewset of one record type, built from its declaration."""
    pk = record_type.model._meta.pk
    attrs: dict[str, Any] = {
        "record_type": record_type,
        "serializer_class": record_type.serializer,
        "queryset": record_type.model._default_manager.none(),
        "filterset_class": record_type.filterset,
        "__doc__": f"{record_type.label_plural.capitalize()}.",
    }
    if isinstance(pk, (models.AutoField, models.BigAutoField)):
        attrs["lookup_value_regex"] = r"\d+"
    for extra in record_type.extra_actions:
        attrs[extra.__name__] = extra
    bases: tuple[type, ...] = (
        (RecordViewSet,) if record_type.is_config else (SharingMixin, RecordViewSet)
    )
    return type(f"{record_type.model.__name__}ViewSet", bases, attrs)
