"""One search interface over records, whatever the database.

``search_queryset(record_type, queryset, query)`` narrows an already restricted queryset to the
records matching ``query`` (the API's ``?q=``); ``global_search`` searches several record types
at once for one user; ``search_index_record`` / ``search_unindex_record`` keep the index up to
date inside the write transaction; ``search_reindex`` rebuilds it in bulk.

Accounts, contacts, leads and opportunities are indexed (rapport.search: SQLite FTS5 or
PostgreSQL trigram and full-text indexes); other record types, small or configuration, are
matched word by word against their declared ``search_fields``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, Func, IntegerField, Q, QuerySet

from rapport.framework.registry import RecordType, get_record_type
from rapport.search.indexer import DEFAULT_BATCH_SIZE, index_record, reindex, unindex_record
from rapport.search.query import SearchHit, indexed_types, search

# A list endpoint pages through at most this many best matches of ``?q=``.
LIST_SEARCH_LIMIT = 200


class IdPosition(Func):
    """The position of the row's id in a given list of ids, as one SQL expression (a CASE with
    a branch per id costs milliseconds to build for a page of search results)."""

    output_field = IntegerField()

    def __init__(self, ids: list[int]) -> None:
        self.ids = [int(i) for i in ids]
        super().__init__(F("pk"))

    def as_sql(
        self,
        compiler: Any,
        connection: Any,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        if connection.vendor == "postgresql":
            return f"array_position(%s::bigint[], {sql})", [self.ids, *params]
        joined = "," + ",".join(str(i) for i in self.ids) + ","
        return f"instr(%s, ',' || {sql} || ',')", [joined, *params]


def _field_search(record_type: RecordType, queryset: QuerySet[Any], query: str) -> Any:
    for word in query.split()[:8]:
        cond = Q()
        for field in record_type.search_fields:
            cond |= Q(**{f"{field}__icontains": word})
        queryset = queryset.filter(cond)
    return queryset.distinct() if any("__" in f for f in record_type.search_fields) else queryset


def search_queryset(record_type: RecordType, queryset: QuerySet[Any], query: str) -> Any:
    """The records of ``queryset`` (already restricted to what the user may see) matching
    ``query``, at most ``LIST_SEARCH_LIMIT`` of them, best first by relevance before the
    caller applies its own ordering."""
    if record_type.key not in indexed_types():
        return _field_search(record_type, queryset, query)

    def visible(_key: str, ids: list[int]) -> set[int]:
        return set(queryset.filter(pk__in=ids).values_list("pk", flat=True))

    hits = search(query, types=[record_type.key], visible=visible, limit=LIST_SEARCH_LIMIT)
    ids = [h.record_id for h in hits]
    if not ids:
        return queryset.none()
    # The rank lets a list without an explicit ?ordering= show the best matches first.
    return queryset.filter(pk__in=ids).annotate(search_rank=IdPosition(ids))


def global_search(
    *, user: Any, query: str, types: list[str] | None = None, limit: int = 20
) -> list[SearchHit]:
    """Records of the indexed ``types`` (all by default) matching ``query`` that ``user`` may
    see, best first."""

    def visible(key: str, ids: list[int]) -> set[int]:
        model = get_record_type(key).model
        return set(
            model.objects.restrict(user, "view")  # type: ignore[attr-defined]
            .filter(pk__in=ids)
            .values_list("pk", flat=True)
        )

    return search(query, types=types or indexed_types(), visible=visible, limit=limit)


def search_index_record(record_type: RecordType, record: Any) -> None:
    """Bring the search index up to date for ``record`` (inside the write transaction)."""
    index_record(record_type.key, record.pk)


def search_unindex_record(record_type: RecordType, record_id: Any) -> None:
    """Remove ``record_id`` from the search index (inside the write transaction)."""
    unindex_record(record_type.key, record_id)


def search_reindex(
    record_type_key: str | None = None, *, batch_size: int = DEFAULT_BATCH_SIZE
) -> int:
    """Rebuild the index of one record type, or of all; returns the records indexed."""
    return reindex(record_type_key, batch_size=batch_size)
