"""``rapport duplicate_scan contacts|leads``: fill the duplicate review queue now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from rapport.dedupe.choices import DuplicateRecordType
from rapport.dedupe.matcher import DEFAULT_THRESHOLD
from rapport.dedupe.services import duplicate_scan_run


class Command(BaseCommand):
    help = "Compare every contact (or lead) and put the likely duplicates in the review queue."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("record_type", choices=DuplicateRecordType.values)
        parser.add_argument(
            "--threshold",
            type=float,
            default=DEFAULT_THRESHOLD,
            help=f"lowest score kept, 0-1 (default {DEFAULT_THRESHOLD})",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="processes scoring a large scan (default: one per CPU)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        workers = options["workers"]
        if workers is not None and workers < 1:
            raise CommandError("--workers must be 1 or more.")
        scan = duplicate_scan_run(
            record_type=options["record_type"], threshold=options["threshold"], workers=workers
        )
        self.stdout.write(
            _(
                "Scan %(id)s: %(records)s records, %(candidates)s candidate pairs, "
                "%(pairs)s pairs found in %(seconds).1f s."
            )
            % {
                "id": scan.pk,
                "records": scan.record_count,
                "candidates": scan.candidate_count,
                "pairs": scan.pair_count,
                "seconds": scan.seconds,
            }
        )
