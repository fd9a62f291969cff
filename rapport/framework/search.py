"""One search interface over records, whatever the database.

``search_queryset(record_type, queryset, query)`` narrows an already restricted queryset to the
records matching ``query``. This first implementation matches each word against the record
type's ``search_fields`` case-insensitively.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from rapport.framework.registry import RecordType


def search_queryset(record_type: RecordType, queryset: QuerySet[Any], query: str) -> Any:
    words = query.split()[:8]
    for word in words:
        cond = Q()
        for field in record_type.search_fields:
            cond |= Q(**{f"{field}__icontains": word})
        queryset = queryset.filter(cond)
    return queryset.distinct() if any("__" in f for f in record_type.search_fields) else queryset


def search_index_record(record_type: RecordType, record: Any) -> None:
    """Bring the search index up to date for ``record`` (inside the write transaction)."""


def search_unindex_record(record_type: RecordType, record_id: Any) -> None:
    """Remove ``record_id`` from the search index (inside the write transaction)."""
