"""What drf-spectacular cannot infer about the API: token authentication and record-type
fields. Extensions register when this module is imported (FrameworkConfig.ready)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes

from rapport.framework.registry import record_types


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """``Authorization: Bearer rpt_<prefix>_<key>``: a personal API token."""

    target_class = "rapport.identity.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "rpt_<prefix>_<key>",
            "description": "A personal API token, created at /api/tokens/.",
        }


class RecordTypeFieldSchema(OpenApiSerializerFieldExtension):
    """A record type by its registry key (``contacts``)."""

    target_class = "rapport.activities.api.RecordTypeField"

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        schema: dict[str, Any] = dict(build_basic_type(OpenApiTypes.STR) or {})
        schema["enum"] = sorted(rt.key for rt in record_types() if not rt.is_config)
        return schema
