"""``rapport dedupe FILE.csv --id-column ID --out pairs.csv``: duplicate people in a CSV file.

Also ``rapport dedupe --evaluate N``: precision, recall, F1 and speed on N generated people.
Errors in the input end with exit code 2 and a message naming the problem.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from rapport.dedupe.csvio import CsvInputError, read_people, write_pairs
from rapport.dedupe.evaluate import evaluate
from rapport.dedupe.matcher import DEFAULT_THRESHOLD, find_duplicates

USAGE_ERROR = 2


class Command(BaseCommand):
    help = (
        "Find duplicate people (contacts, leads) in a CSV file and write "
        "left_id,right_id,score,reasons for each likely pair."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", type=Path, help="CSV file with a header row")
        parser.add_argument("--id-column", help="the column holding each row's unique id")
        parser.add_argument("--out", type=Path, help="where to write the pairs (CSV)")
        parser.add_argument(
            "--threshold",
            type=float,
            default=DEFAULT_THRESHOLD,
            help=f"lowest score reported, 0-1 (default {DEFAULT_THRESHOLD}, the best F1 measured)",
        )
        parser.add_argument(
            "--region",
            default=None,
            help="ISO country for phone numbers without a country code "
            "(default RAPPORT_DEFAULT_REGION)",
        )
        parser.add_argument(
            "--gmail-rules",
            action="store_true",
            help="treat dots and +tags in Gmail addresses as insignificant",
        )
        parser.add_argument(
            "--evaluate", type=int, metavar="N", help="measure on N generated people instead"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        threshold: float = options["threshold"]
        if not 0.0 <= threshold <= 1.0:
            raise CommandError("--threshold must be between 0 and 1.", returncode=USAGE_ERROR)
        if options["evaluate"] is not None:
            self.stdout.write(evaluate(options["evaluate"], threshold=threshold).report())
            return
        path, id_column, out = options["file"], options["id_column"], options["out"]
        missing = [
            name
            for name, value in (("FILE", path), ("--id-column", id_column), ("--out", out))
            if not value
        ]
        if missing:
            raise CommandError(f"missing {', '.join(missing)}.", returncode=USAGE_ERROR)
        try:
            records = read_people(path, id_column)
        except CsvInputError as error:
            raise CommandError(str(error), returncode=USAGE_ERROR) from error
        except UnicodeDecodeError as error:
            raise CommandError(
                f"{path} is not UTF-8 text: {error}", returncode=USAGE_ERROR
            ) from error
        region = options["region"] or settings.RAPPORT_DEFAULT_REGION
        result = find_duplicates(
            records, region=region, threshold=threshold, gmail_rules=options["gmail_rules"]
        )
        written = write_pairs(out, result.pairs)
        stats = result.blocking
        self.stdout.write(
            f"{len(records):,} records, {stats.candidate_pairs:,} candidate pairs, "
            f"{written:,} pairs with score >= {threshold} written to {out} "
            f"in {result.seconds:.1f} s."
        )
