"""The API router: one route set per declared record type, plus identity endpoints."""

from rest_framework.routers import DefaultRouter

from rapport.dedupe.api import DuplicatePairViewSet, DuplicateScanViewSet
from rapport.exports.api import ExportViewSet
from rapport.framework.api.viewsets import viewset_for
from rapport.framework.registry import record_types
from rapport.identity.api import ApiTokenViewSet, ChangeLogViewSet, MeViewSet
from rapport.imports.api import ImportJobViewSet
from rapport.merges.api import MergeViewSet
from rapport.webforms.api import WebFormSubmissionViewSet


def api_router() -> DefaultRouter:
    router = DefaultRouter()
    for record_type in record_types():
        router.register(record_type.key, viewset_for(record_type), basename=record_type.key)
    router.register("tokens", ApiTokenViewSet, basename="tokens")
    router.register("changelog", ChangeLogViewSet, basename="changelog")
    router.register("me", MeViewSet, basename="me")
    router.register("exports", ExportViewSet, basename="exports")
    router.register("imports", ImportJobViewSet, basename="imports")
    router.register("merges", MergeViewSet, basename="merges")
    router.register("duplicate-pairs", DuplicatePairViewSet, basename="duplicate-pairs")
    router.register("duplicate-scans", DuplicateScanViewSet, basename="duplicate-scans")
    router.register(
        "web-form-submissions", WebFormSubmissionViewSet, basename="web-form-submissions"
    )
    return router
