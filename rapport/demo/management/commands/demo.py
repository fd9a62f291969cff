"""``rapport demo --contacts N --seed S [--if-empty]``: load a realistic demo CRM."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from rapport.demo.loader import database_has_contacts, demo_load
from rapport.demo.org import ADMIN_PASSWORD, ADMIN_USERNAME, USER_PASSWORD


class Command(BaseCommand):
    help = "Fill the database with demo data: N contacts, N/10 accounts, 0.3 N deals, ..."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--contacts", type=int, default=2000, help="number of contacts")
        parser.add_argument(
            "--seed", type=int, default=1, help="random seed (same seed, same data)"
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when the database already has contacts",
        )
        parser.add_argument(
            "--as-of",
            type=dt.date.fromisoformat,
            default=None,
            help="last day of the demo's history (default: today)",
        )
        parser.add_argument("--years", type=int, default=4, help="years of history")
        parser.add_argument(
            "--no-search-index",
            action="store_true",
            help="skip rebuilding the search index (rapport search_reindex)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and database_has_contacts():
            self.stdout.write("The database already has contacts: no demo data loaded.")
            self._login_help()
            return
        contacts = options["contacts"]
        if contacts < 10:
            self.stderr.write("--contacts must be at least 10.")
            raise SystemExit(2)
        self.stdout.write(f"Loading demo data: {contacts:,} contacts, seed {options['seed']}")
        result = demo_load(
            contacts=contacts,
            seed=options["seed"],
            as_of=options["as_of"],
            years=options["years"],
            search_index=not options["no_search_index"],
            progress=self.stdout.write,
        )
        self.stdout.write("Rows written:")
        for table, rows in sorted(result.counts.items()):
            self.stdout.write(f"  {table:<42} {rows:>10,}")
        self.stdout.write(self.style.SUCCESS(f"Done in {result.seconds:.1f} s."))
        self._login_help()

    def _login_help(self) -> None:
        self.stdout.write(
            "Sign in at http://127.0.0.1:8000/ (API docs: http://127.0.0.1:8000/api/docs/)"
            f" as user '{ADMIN_USERNAME}' with password '{ADMIN_PASSWORD}'. "
            f"Sales users share the password '{USER_PASSWORD}'."
        )
