"""``python -m bench.import_floor``: how fast the database takes an import's writes when no
Python work is left, the floor under ``bench.imports``.

Copies the 1,000,000-contact benchmark database and writes new contacts into it with the
batch importer's own write calls (``insert_rows`` for contacts, emails, phones, change-log
entries and import rows, ``index_records`` for search entries, inside ``fts_bulk`` and with
the checkpoints beside it, as an import runs), one transaction per batch. Every value, the
change-log snapshot included, is built before the clock starts: nothing is read, cleaned or
matched. Names, emails and phones are random, as in a real file, so index entries land all
over the indexes. Prints the microseconds a row of each write and the rows a second, and
writes the table into docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.database import ROOT, database_url
from bench.docs import section_write
from bench.imports import SOURCE, _setup, machine

START, END = "<!-- bench:import-floor:start -->", "<!-- bench:import-floor:end -->"


def _batches(rows: int, batch: int, seed: int) -> list[dict[str, list[Any]]]:
    """The rows of each table for each batch, as the importer hands them to ``insert_rows``."""
    import json

    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from rapport.contacts.models import Contact
    from rapport.demo.pools.people import ascii_slug, name_pools
    from rapport.demo.pools.places import country_pool
    from rapport.framework.audit import changelog_row
    from rapport.framework.bulk import reserve_ids
    from rapport.framework.choices import ChangeAction
    from rapport.identity.models import User
    from rapport.imports.choices import RowAction
    from rapport.imports.fast import _columns
    from rapport.imports.rows import RowOutcome
    from rapport.imports.services import import_actor

    r = random.Random(seed)
    pools = name_pools()
    places = country_pool()
    admin = User.objects.get(username="admin")
    actor = import_actor(admin)
    columns = _columns()
    template = dict(Contact.objects.order_by("id").values(*columns)[0])
    now = timezone.now()
    content_type = ContentType.objects.get_for_model(Contact).pk
    out = []
    for start in range(0, rows, batch):
        count = min(batch, rows - start)
        ids = reserve_ids(Contact, count)
        tables: dict[str, list[Any]] = {
            "contacts": [],
            "emails": [],
            "phones": [],
            "log": [],
            "ids": ids,
            "outcomes": [
                RowOutcome(start + i + 1, RowAction.CREATED, record_id=pk)
                for i, pk in enumerate(ids)
            ],
        }
        for i, pk in enumerate(ids):
            country = places[int(r.random() * len(places))]
            pool = pools[country.names]
            given, given_ascii = r.choice(pool.male if r.random() < 0.5 else pool.female)
            family, family_ascii = r.choice(pool.family)
            phone = country.mobile(r.random, r.choice(country.cities))[1]
            local = f"{ascii_slug(given_ascii)}.{ascii_slug(family_ascii)}{start + i}"
            email = f"{local}@{r.choice(country.free_mail)}"
            record = {
                **template,
                "id": pk,
                "given_name": given,
                "family_name": family,
                "display_name": f"{given} {family}" if given.isascii() else f"{family}{given}",
                "primary_email": email,
                "primary_phone": phone,
                "owner_id": admin.pk,
                "created_by_id": admin.pk,
                "updated_by_id": admin.pk,
                "created_at": now,
                "updated_at": now,
            }
            tables["contacts"].append(tuple(record[c] for c in columns))
            tables["emails"].append((pk, email, "work", True))
            tables["phones"].append((pk, phone, phone, "mobile", True))
            after = json.loads(json.dumps(record, default=str))
            entry = changelog_row(
                actor=actor,
                action=ChangeAction.CREATE,
                content_type_id=content_type,
                object_id=pk,
                object_repr=record["display_name"],
                before=None,
                after=after,
                time=now,
            )
            assert entry is not None  # only an unchanged update gives none
            tables["log"].append(entry)
        out.append(tables)
    return out


def run(rows: int, batch: int, seed: int) -> tuple[Counter[str], float]:
    from django.db import transaction

    from rapport.contacts.models import Contact, ContactEmail, ContactPhone
    from rapport.core.models import ChangeLogEntry
    from rapport.framework.audit import CHANGELOG_COLUMNS
    from rapport.framework.bulk import bounded_mapping, insert_rows
    from rapport.framework.checkpoints import background_checkpoints
    from rapport.identity.models import User
    from rapport.imports.fast import _EMAIL_COLUMNS, _PHONE_COLUMNS, _columns
    from rapport.imports.models import ImportJob
    from rapport.imports.services import IMPORT_MMAP_BYTES, _import_rows_insert
    from rapport.search.indexer import fts_bulk, index_records

    job = ImportJob.objects.create(
        user=User.objects.get(username="admin"), record_type="contacts", file="floor.csv"
    )
    batches = _batches(rows, batch, seed)
    spent: Counter[str] = Counter()

    def timed(label: str, write: Any, *args: Any, **kwargs: Any) -> None:
        started = time.perf_counter()
        write(*args, **kwargs)
        spent[label] += time.perf_counter() - started

    started = time.perf_counter()
    with bounded_mapping(IMPORT_MMAP_BYTES), background_checkpoints() as checkpoint:
        for tables in batches:
            ids = tables["ids"]
            with transaction.atomic():
                timed("contacts", insert_rows, Contact, _columns(), tables["contacts"])
                timed(
                    "emails and phones", insert_rows, ContactEmail, _EMAIL_COLUMNS, tables["emails"]
                )
                timed(
                    "emails and phones", insert_rows, ContactPhone, _PHONE_COLUMNS, tables["phones"]
                )
                with fts_bulk():
                    timed("search entries", index_records, "contacts", ids, new=True)
                timed("change log", insert_rows, ChangeLogEntry, CHANGELOG_COLUMNS, tables["log"])
                timed("import rows", _import_rows_insert, job, tables["outcomes"])
                commit_started = time.perf_counter()
            spent["commit"] += time.perf_counter() - commit_started
            checkpoint()
    return spent, time.perf_counter() - started


def table(spent: Counter[str], seconds: float, rows: int) -> str:
    lines = ["| write | µs a row |", "|---|---:|"]
    for label, value in spent.most_common():
        lines.append(f"| {label} | {value * 1e6 / rows:,.0f} |")
    lines.append(f"| **in all, wall time** | **{seconds * 1e6 / rows:,.0f}** |")
    lines.append(f"| rows/s | {rows / seconds:,.0f} |")
    return "\n".join(lines)


def write_docs(report: str, rows: int, batch: int, contacts: int) -> None:
    section_write(
        START,
        END,
        f"Last run {dt.date.today().isoformat()} on {machine()}; {rows:,} contacts "
        f"in transactions of {batch:,} into a database of {contacts:,} contacts.\n\n{report}",
        heading="## Import: the database's writes alone",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.import_floor", description=__doc__)
    parser.add_argument("--source", type=Path, default=SOURCE, help="the 1M-contact database")
    parser.add_argument(
        "--db", type=Path, default=ROOT / "var" / "bench" / "floor.sqlite3", help="its copy"
    )
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-docs", action="store_true", help="do not update the docs")
    args = parser.parse_args(argv)

    db = args.db.resolve()
    db.parent.mkdir(parents=True, exist_ok=True)
    for stale in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        stale.unlink(missing_ok=True)
    shutil.copyfile(args.source, db)
    _setup(database_url(db), db.parent / "media")
    from bench.imports import _contacts

    contacts = _contacts()
    spent, seconds = run(args.rows, args.batch, args.seed)
    report = table(spent, seconds, args.rows)
    print(f"{dt.date.today().isoformat()} — {machine()}")
    print(report)
    if not args.no_docs:
        write_docs(report, args.rows, args.batch, contacts)
    for stale in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        stale.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
