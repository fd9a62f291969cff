"""``rapport search_reindex [--type contacts] [--batch-size N]``: rebuild the search index."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rapport.framework.search import search_reindex
from rapport.search.indexer import DEFAULT_BATCH_SIZE
from rapport.search.query import indexed_types


class Command(BaseCommand):
    help = "Rebuild the search index of one record type, or of all."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--type", dest="record_type", choices=indexed_types())
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)

    def handle(self, *args: Any, record_type: str | None, batch_size: int, **options: Any) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be positive.")
        started = time.perf_counter()
        count = search_reindex(record_type, batch_size=batch_size)
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Indexed {count} records in {seconds:.1f} s ({count / max(seconds, 1e-9):,.0f}/s)."
        )
