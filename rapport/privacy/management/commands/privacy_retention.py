"""``rapport privacy_retention [--dry-run]``: apply the retention rules now, or list them."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from rapport.framework.actor import Actor
from rapport.framework.choices import Channel
from rapport.privacy.services import retention_apply


class Command(BaseCommand):
    help = "Anonymise or delete the contacts and leads past their retention period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would change; change nothing."
        )

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        report = retention_apply(actor=Actor.system(channel=Channel.CLI), dry_run=dry_run)
        verb = "would" if dry_run else "did"
        for person_type, pk, action in report.items:
            self.stdout.write(f"{person_type} {pk}: {action}")
        for person_type, pk, _action in report.kept:
            self.stdout.write(f"{person_type} {pk}: anonymised, kept (still referenced)")
        self.stdout.write(f"{len(report.items)} record(s) {verb} change")
