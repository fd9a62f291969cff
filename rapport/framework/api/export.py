"""``GET /api/<type>/export/``: any list as a CSV or XLSX file, with the list's filters.

Small exports (up to ``RAPPORT_EXPORT_SYNC_MAX`` rows) are streamed in the response; larger
ones, or any with ``?async=1``, become an export job (rapport.exports) written in the
background and served at ``/api/exports/<id>/download/``. Rows come from the viewset's own
``get_queryset`` (restricted to what the user may view) and ``filter_queryset``, so an export
holds exactly the rows the list would show.
"""

from __future__ import annotations

import tempfile
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponseBase,
    QueryDict,
    StreamingHttpResponse,
)
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from rapport.exports.api import ExportSerializer
from rapport.exports.choices import CONTENT_TYPES, ExportFormat, HeaderStyle
from rapport.exports.columns import ExportPlan
from rapport.exports.services import export_start
from rapport.exports.writers import csv_pieces, xlsx_write
from rapport.framework.registry import RecordType

DEFAULT_SYNC_MAX = 10_000
# Parameters of the export itself; every other query parameter is a list filter.
EXPORT_PARAMS = ("format", "columns", "header", "async")


def _choice(request: Request, name: str, choices: type[Any], default: str) -> Any:
    value = request.query_params.get(name, default)
    if value not in choices.values:
        raise ValidationError(
            {
                name: [
                    _("“%(value)s” is not one of: %(choices)s.")
                    % {"value": value, "choices": ", ".join(choices.values)}
                ]
            },
            code="invalid_choice",
        )
    return choices(value)


def _attachment(response: HttpResponseBase, record_type: RecordType, fmt: ExportFormat) -> None:
    name = f"{record_type.key}-{timezone.localdate().isoformat()}.{fmt}"
    response["Content-Disposition"] = content_disposition_header(True, name)


class ExportMixin:
    """Adds the ``export`` list action to a record viewset."""

    record_type: ClassVar[RecordType]

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        if getattr(self, "action", None) == "export":
            # ``?format=`` names the file format here, not a renderer; errors and job
            # documents are JSON.
            renderer = next(
                (r for r in self.get_renderers() if isinstance(r, JSONRenderer)),  # type: ignore[attr-defined]
                JSONRenderer(),
            )
            return renderer, renderer.media_type
        return super().perform_content_negotiation(request, force)  # type: ignore[misc]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "format", str, enum=ExportFormat.values, description="File format (csv by default)."
            ),
            OpenApiParameter(
                "columns",
                str,
                description="Column keys, comma-separated: any scalar field, cf_<name> for "
                "custom fields, <field>_id for a related record's id. Default: id and the "
                "list columns. The list's filters, q and ordering apply as well.",
            ),
            OpenApiParameter(
                "header",
                str,
                enum=HeaderStyle.values,
                description="Header row: translated column names (default) or field keys.",
            ),
            OpenApiParameter(
                "async",
                bool,
                description="Write the file in the background even when it is small.",
            ),
        ],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="The file."),
            (200, CONTENT_TYPES[ExportFormat.XLSX]): OpenApiResponse(OpenApiTypes.BINARY),
            (202, "application/json"): OpenApiResponse(
                ExportSerializer, description="A background export job."
            ),
        },
    )
    @action(detail=False, methods=["get"], url_path="export")
    def export(self, request: Request) -> HttpResponseBase:
        """The filtered list as a file: streamed when small, otherwise an export job."""
        fmt = _choice(request, "format", ExportFormat, ExportFormat.CSV)
        header_style = _choice(request, "header", HeaderStyle, HeaderStyle.LABELS)
        keys = [k.strip() for k in request.query_params.get("columns", "").split(",")]
        plan = ExportPlan(self.record_type, [k for k in keys if k] or None)
        queryset = self.filter_queryset(self.get_queryset())  # type: ignore[attr-defined]
        limit = getattr(settings, "RAPPORT_EXPORT_SYNC_MAX", DEFAULT_SYNC_MAX)
        background = request.query_params.get("async", "").lower() in ("1", "true", "yes")
        if background or queryset.values("pk")[: limit + 1].count() > limit:
            return self._export_job(request, plan, fmt, header_style)
        header = plan.header(keys=header_style == HeaderStyle.KEYS)
        rows = plan.rows(queryset, request.user)
        if fmt == ExportFormat.CSV:
            response: HttpResponseBase = StreamingHttpResponse(
                csv_pieces(header, rows), content_type=CONTENT_TYPES[fmt]
            )
        else:
            # Not a context manager: FileResponse closes the file once it is sent.
            out = tempfile.TemporaryFile()  # noqa: SIM115
            xlsx_write(out, title=self.record_type.key, header=header, rows=rows)
            out.seek(0)
            response = FileResponse(out, content_type=CONTENT_TYPES[fmt])
        _attachment(response, self.record_type, fmt)
        return response

    def _export_job(
        self, request: Request, plan: ExportPlan, fmt: ExportFormat, header: HeaderStyle
    ) -> Response:
        query = {k: v for k, v in request.query_params.lists() if k not in EXPORT_PARAMS}
        export = export_start(
            user=request.user,
            record_type=self.record_type,
            export_format=fmt,
            params={"query": query, "columns": plan.requested, "header": header},
        )
        data = ExportSerializer(export, context={"request": request}).data
        location = request.build_absolute_uri(f"/api/exports/{export.pk}/")
        return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": location})


def export_queryset(
    record_type: RecordType, user: Any, query: dict[str, list[str]]
) -> models.QuerySet[Any]:
    """The rows an export job writes: the record type's viewset replays the list's query
    parameters for ``user`` (restricted and filtered exactly as the list was)."""
    from rapport.framework.api.viewsets import viewset_for  # the viewsets import this module

    http_request = HttpRequest()
    http_request.method = "GET"
    params = QueryDict(mutable=True)
    for key, values in query.items():
        params.setlist(key, values)
    http_request.GET = params  # type: ignore[assignment]
    request = Request(http_request)
    request.user = user
    view = viewset_for(record_type)(request=request, action="export", format_kwarg=None, kwargs={})
    return view.filter_queryset(view.get_queryset())  # type: ignore[no-any-return]
