"""``rapport import FILE --type contacts [--user USERNAME] [--policy skip|update|create]``.

Runs the same import as the API, synchronously, and prints the counts. Problems with the
file end with exit code 2 and a message naming the problem.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser

from rapport.framework.registry import get_record_type
from rapport.identity.models import User
from rapport.imports.choices import IMPORTABLE_TYPES, DuplicatePolicy, RowAction
from rapport.imports.readers import ImportFileError
from rapport.imports.services import import_create, import_execute


class Command(BaseCommand):
    help = "Import accounts, contacts, leads, opportunities or activities from a CSV or XLSX file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="CSV or XLSX file with a header row")
        parser.add_argument("--type", required=True, choices=IMPORTABLE_TYPES, dest="record_type")
        parser.add_argument(
            "--user",
            help="username of the importing user, who owns the new records "
            "(default: the first superuser)",
        )
        parser.add_argument(
            "--policy",
            choices=[p.value for p in DuplicatePolicy],
            default=DuplicatePolicy.SKIP.value,
            help="what to do with a row that repeats an existing contact or lead",
        )

    def _user(self, username: str | None) -> User:
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(f"no active user named {username!r}", returncode=2)
            return user
        user = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if user is None:
            raise CommandError("no superuser to import as: give --user USERNAME", returncode=2)
        return user

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"file not found: {path}", returncode=2)
        user = self._user(options["user"])
        try:
            with path.open("rb") as handle:
                job = import_create(
                    user=user,
                    record_type=get_record_type(options["record_type"]),
                    upload=File(handle, name=path.name),
                    name=path.name,
                    duplicate_policy=DuplicatePolicy(options["policy"]),
                )
            job = import_execute(job=job)
        except ImportFileError as exc:
            raise CommandError(f"{path}: {exc}", returncode=2) from None
        except ValidationError as exc:
            raise CommandError(f"{path}: {' '.join(exc.messages)}", returncode=2) from None
        ignored = [h for h in job.headers if not job.mapping.get(h)]
        self.stdout.write(
            f"import #{job.pk}: {job.total_count} rows, {job.created_count} created, "
            f"{job.updated_count} updated, {job.skipped_count} skipped, "
            f"{job.rejected_count} rejected"
        )
        if ignored:
            self.stdout.write("ignored columns: " + ", ".join(ignored))
        for row in job.rows.filter(action=RowAction.REJECTED)[:20]:
            self.stdout.write(f"  row {row.row_number}: {row.error}")
