"""``/api/exports/<id>/``: an export job's status, and its file for its owner."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import FileResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.reverse import reverse

from rapport.exports.choices import CONTENT_TYPES, ExportFormat, ExportStatus
from rapport.exports.models import Export


class ExportNotReady(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The export has no file yet, or it failed.")
    default_code = "export_not_ready"


class ExportSerializer(serializers.ModelSerializer[Export]):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Export
        fields = [
            "id",
            "record_type",
            "format",
            "status",
            "row_count",
            "created_at",
            "finished_at",
            "error",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, export: Export) -> str | None:
        """Where the finished file is served, None until then."""
        if export.status != ExportStatus.DONE:
            return None
        return reverse(
            "exports-download", kwargs={"pk": export.pk}, request=self.context.get("request")
        )


class ExportViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Export jobs: status, and the file once done. Each user sees only their own (404 for
    anyone else's)."""

    serializer_class = ExportSerializer
    permission_classes = [IsAuthenticated]
    filter_backends: list[Any] = []
    pagination_class = None
    queryset = Export.objects.none()

    def get_queryset(self) -> models.QuerySet[Export]:
        return Export.objects.filter(user=self.request.user)  # type: ignore[misc]

    @extend_schema(
        responses={
            (200, CONTENT_TYPES[ExportFormat.CSV].split(";")[0]): OpenApiResponse(
                OpenApiTypes.BINARY
            ),
            (200, CONTENT_TYPES[ExportFormat.XLSX]): OpenApiResponse(OpenApiTypes.BINARY),
        }
    )
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: Any = None) -> FileResponse:
        """The export's file, as an attachment."""
        export: Export = self.get_object()
        if export.status != ExportStatus.DONE or not export.file:
            raise ExportNotReady()
        return FileResponse(
            export.file.open("rb"),
            as_attachment=True,
            filename=export.filename,
            content_type=CONTENT_TYPES[ExportFormat(export.format)],
        )
