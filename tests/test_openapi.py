"""The OpenAPI schema is generated without warnings or errors, and the docs page renders."""

from __future__ import annotations

import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from rapport.framework.registry import record_types

pytestmark = pytest.mark.django_db


def test_schema_is_generated_without_warnings_and_is_valid(
    api: APIClient, capsys: pytest.CaptureFixture[str]
) -> None:
    # given no warnings left from earlier generations in this process
    GENERATOR_STATS.reset()
    # when
    response = api.get("/api/schema/?format=json")
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.oai.openapi+json"
    assert not GENERATOR_STATS, GENERATOR_STATS._warn_cache | GENERATOR_STATS._error_cache
    captured = capsys.readouterr()
    assert "Warning" not in captured.err + captured.out
    schema = response.json()
    validate_schema(schema)  # raises on an invalid OpenAPI 3 document
    assert schema["openapi"] == "3.0.3"
    paths = set(schema["paths"])
    for rt in record_types():
        detail = f"/api/{rt.key}/{{{rt.model._meta.pk.name}}}/"
        assert {f"/api/{rt.key}/", detail, f"/api/{rt.key}/bulk/"} <= paths
    assert {"/api/tokens/", "/api/me/", "/api/changelog/"} <= paths
    assert schema["components"]["securitySchemes"]["apiToken"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "rpt_<prefix>_<key>",
        "description": "A personal API token, created at /api/tokens/.",
    }
    schemas = schema["components"]["schemas"]
    related_type = schemas["Activity"]["properties"]["related_type"]
    enum_name = related_type["allOf"][0]["$ref"].rsplit("/", 1)[1]
    assert schemas[enum_name]["enum"] == sorted(rt.key for rt in record_types() if not rt.is_config)
    assert "pipelines" not in schemas[enum_name]["enum"]


def test_docs_page_renders(api: APIClient) -> None:
    # when
    response = api.get("/api/docs/")
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert b"swagger-ui" in response.content
    # The start-up script is a file of its own (no inline script under the CSP).
    assert b"<script>" not in response.content
    script = api.get("/api/docs/?script=")
    assert script.status_code == 200
    assert b"/api/schema/" in script.content
