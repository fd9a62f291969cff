"""``/api/imports/``: upload a file and preview it, adjust, run, follow, download the rejected
rows, undo. Each user sees only their own jobs (404 for anyone else's); administrators see all.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.db import models
from django.http import FileResponse, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from rapport.framework.registry import get_record_type
from rapport.identity.choices import TokenScope
from rapport.identity.models import ApiToken
from rapport.imports.choices import IMPORTABLE_TYPES, DuplicatePolicy, ImportStatus
from rapport.imports.mapping import import_fields
from rapport.imports.models import ImportJob
from rapport.imports.readers import ImportFileError
from rapport.imports.services import import_create, import_start, import_undo, import_update


class ImportNotFinished(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("The import has not run yet.")
    default_code = "import_not_finished"


def _mapping_value(value: Any) -> dict[str, str]:
    """A mapping given as an object, or as JSON text in a multipart form."""
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else {}
        except ValueError:
            raise serializers.ValidationError(_("The mapping is not valid JSON.")) from None
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str | type(None)) for k, v in value.items()
    ):
        raise serializers.ValidationError(
            _("The mapping must be an object of column name to field key.")
        )
    return {k: v or "" for k, v in value.items()}


class MappingField(serializers.JSONField):
    def to_internal_value(self, data: Any) -> dict[str, str]:
        return _mapping_value(data)


class ImportJobSerializer(serializers.ModelSerializer[ImportJob]):
    progress = serializers.IntegerField(read_only=True)
    ignored_columns = serializers.SerializerMethodField()
    fields_available = serializers.SerializerMethodField()
    errors_url = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "record_type",
            "original_name",
            "encoding",
            "delimiter",
            "headers",
            "mapping",
            "ignored_columns",
            "fields_available",
            "duplicate_policy",
            "preview",
            "status",
            "progress",
            "total_count",
            "processed_count",
            "created_count",
            "updated_count",
            "skipped_count",
            "rejected_count",
            "error",
            "errors_url",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_ignored_columns(self, job: ImportJob) -> list[str]:
        """Columns of the file that feed no field."""
        return [h for h in job.headers if not job.mapping.get(h)]

    def get_fields_available(self, job: ImportJob) -> dict[str, str]:
        """The fields a column can be mapped to: key and label."""
        return {k: f.label for k, f in import_fields(get_record_type(job.record_type)).items()}

    def get_errors_url(self, job: ImportJob) -> str | None:
        """Where the rejected rows are served, once the import has run."""
        if job.status not in (ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.UNDONE):
            return None
        return reverse("imports-errors", kwargs={"pk": job.pk}, request=self.context.get("request"))


class ImportCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    # Empty files reach the reader, which says so in the same words for CSV, XLSX and the CLI.
    file = serializers.FileField(allow_empty_file=True)
    record_type = serializers.CharField(help_text=", ".join(IMPORTABLE_TYPES))
    mapping = MappingField(required=False)
    duplicate_policy = serializers.ChoiceField(
        choices=DuplicatePolicy.choices, default=DuplicatePolicy.SKIP
    )

    def validate_record_type(self, value: str) -> str:
        if value not in IMPORTABLE_TYPES:
            raise serializers.ValidationError(
                _("Choose one of: %(types)s.") % {"types": ", ".join(IMPORTABLE_TYPES)},
                code="invalid_choice",
            )
        return value


class ImportUpdateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    mapping = MappingField(required=False)
    duplicate_policy = serializers.ChoiceField(choices=DuplicatePolicy.choices, required=False)


class UndoResultSerializer(serializers.Serializer):  # type: ignore[type-arg]
    removed = serializers.IntegerField()
    restored = serializers.IntegerField()
    failed = serializers.DictField(child=serializers.CharField())
    job = ImportJobSerializer()


class ImportJobViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Import jobs of CSV and XLSX files: preview, run, follow, errors, undo."""

    serializer_class = ImportJobSerializer
    permission_classes = [IsAuthenticated]
    filter_backends: list[Any] = []
    pagination_class = None
    queryset = ImportJob.objects.none()

    def get_queryset(self) -> models.QuerySet[ImportJob]:
        user: Any = self.request.user
        jobs = ImportJob.objects.select_related("user")
        return jobs if user.is_superuser else jobs.filter(user=user)

    def _require_write(self) -> None:
        token = self.request.auth
        if isinstance(token, ApiToken) and token.scope != TokenScope.READ_WRITE:
            raise PermissionDenied(_("This API token is read-only."), code="read_only_token")

    def _job_response(self, job: ImportJob, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(job).data, status=code)

    @extend_schema(request={"multipart/form-data": ImportCreateSerializer})
    def create(self, request: Request) -> Response:
        """Upload a file: returns the detected encoding, delimiter, headers, the proposed
        mapping and a preview of the first rows. Nothing is imported yet."""
        self._require_write()
        given = ImportCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        values = given.validated_data
        upload = values["file"]
        try:
            job = import_create(
                user=request.user,
                record_type=get_record_type(values["record_type"]),
                upload=upload,
                name=upload.name or "import.csv",
                mapping=values.get("mapping"),
                duplicate_policy=DuplicatePolicy(values["duplicate_policy"]),
            )
        except ImportFileError as exc:
            raise ApiValidationError({"file": [str(exc)]}, code=exc.code) from None
        return self._job_response(job, status.HTTP_201_CREATED)

    @extend_schema(request=ImportUpdateSerializer)
    def partial_update(self, request: Request, pk: Any = None) -> Response:
        """Change the mapping or the duplicate policy; the preview is made again."""
        self._require_write()
        job = self.get_object()
        given = ImportUpdateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        policy = given.validated_data.get("duplicate_policy")
        job = import_update(
            job=job,
            mapping=given.validated_data.get("mapping"),
            duplicate_policy=DuplicatePolicy(policy) if policy else None,
        )
        return self._job_response(job)

    @extend_schema(request=None, responses={202: ImportJobSerializer})
    @action(detail=True, methods=["post"])
    def run(self, request: Request, pk: Any = None) -> Response:
        """Start the import in the background; follow it with GET."""
        self._require_write()
        job = import_start(job=self.get_object())
        job.refresh_from_db()
        return self._job_response(job, status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={200: UndoResultSerializer})
    @action(detail=True, methods=["post"])
    def undo(self, request: Request, pk: Any = None) -> Response:
        """Remove the records the import created and restore those it updated."""
        self._require_write()
        job = self.get_object()
        result = import_undo(job=job, user=request.user)
        job.refresh_from_db()
        body = {
            "removed": result.removed,
            "restored": result.restored,
            "failed": {str(k): v for k, v in result.failed.items()},
            "job": self.get_serializer(job).data,
        }
        return Response(body)

    @extend_schema(responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY)})
    @action(detail=True, methods=["get"])
    def errors(self, request: Request, pk: Any = None) -> HttpResponse | FileResponse:
        """The rejected rows as CSV: row number, the original cells and the reason."""
        job: ImportJob = self.get_object()
        if job.status not in (ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.UNDONE):
            raise ImportNotFinished()
        filename = f"import-{job.pk}-errors.csv"
        if job.error_file:
            return FileResponse(
                job.error_file.open("rb"),
                as_attachment=True,
                filename=filename,
                content_type="text/csv; charset=utf-8",
            )
        out = io.StringIO()
        csv.writer(out).writerow([_("row"), *job.headers, _("error")])
        response = HttpResponse(
            ("\ufeff" + out.getvalue()).encode(), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
