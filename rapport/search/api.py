"""``GET /api/search/?q=...&types=contacts,accounts&limit=20``: mixed results, best first."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from rapport.framework.search import global_search
from rapport.search.query import indexed_types

MAX_LIMIT = 100


class SearchHitSerializer(serializers.Serializer[Any]):
    type = serializers.CharField(source="record_type")
    id = serializers.IntegerField(source="record_id")
    title = serializers.CharField()
    subtitle = serializers.CharField()
    score = serializers.FloatField()


class SearchView(APIView):
    """Search accounts, contacts, leads and opportunities the user may see."""

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, required=True),
            OpenApiParameter("types", str, description="comma-separated record types"),
            OpenApiParameter("limit", int, description=f"1 to {MAX_LIMIT}, default 20"),
        ],
        responses=SearchHitSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        query = request.query_params.get("q", "").strip()
        raw_types = request.query_params.get("types", "")
        types = [t.strip() for t in raw_types.split(",") if t.strip()] or indexed_types()
        unknown = sorted(set(types) - set(indexed_types()))
        if unknown:
            raise ValidationError(
                {"types": [_("Not searchable: %(types)s.") % {"types": ", ".join(unknown)}]}
            )
        try:
            limit = int(request.query_params.get("limit", "20"))
        except ValueError:
            raise ValidationError({"limit": [_("Enter a whole number.")]}) from None
        limit = max(1, min(limit, MAX_LIMIT))
        hits = global_search(user=request.user, query=query, types=types, limit=limit)
        return Response(SearchHitSerializer(hits, many=True).data)
