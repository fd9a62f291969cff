"""``python -m bench.imports``: import a generated contacts CSV into a copy of the
1M-contact benchmark database, as the ``admin`` user with the policy "update", through the
service the background job runs; measure rows/s end to end and the peak memory.

The file mixes Latin names in every case, Chinese names, emails, phones written in several
ways (international, national, E.164), countries as codes and names; about 5 % of its rows
repeat a contact of the database (by email, in another case, or by phone), about 1 % repeat
an earlier row of the file, and about 1 % are bad (an invalid email, no family name, an
unknown country). Prints a table and writes it into docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import datetime as dt
import io
import os
import pstats
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench.database import RAPPORT, ROOT, database_url
from bench.docs import section_write
from bench.phases import database_time, phases_table

SOURCE = Path("/tmp/bench/bench.sqlite3")
START, END = "<!-- bench:import:start -->", "<!-- bench:import:end -->"
START_PG, END_PG = "<!-- bench:import-postgresql:start -->", "<!-- bench:import-postgresql:end -->"
TARGET_RATE = 20_000.0
TARGET_RSS_MB = 1024.0
HEADERS = [
    "First name",
    "Last name",
    "Email",
    "Mobile",
    "Job title",
    "City",
    "Country",
]
_TITLES = ("Engineer", "Sales Manager", "CFO", "Buyer", "销售经理", "Head of IT", "")
_COUNTRY_FORMS = {
    "US": ("US", "USA", "United States"),
    "CN": ("CN", "China", "中国"),
    "DE": ("DE", "Germany", "DEU"),
    "GB": ("GB", "UK", "United Kingdom"),
    "FR": ("FR", "France"),
    "AU": ("AU", "Australia"),
}


def _existing_keys(count: int, seed: int) -> tuple[list[str], list[str]]:
    """Emails and E.164 phones of contacts already in the database, for duplicate rows."""
    from django.db import connection

    r = random.Random(seed)
    found: list[list[str]] = []
    for table, column, where in (
        ("contacts_contactemail", "email", ""),
        ("contacts_contactphone", "e164", "e164 <> '' AND "),
    ):
        with connection.cursor() as cur:
            cur.execute(f"SELECT MAX(id) FROM {table}")
            high = cur.fetchone()[0] or 0
            ids = [r.randint(1, high) for _ in range(count)] if high else []
            values: list[str] = []
            for start in range(0, len(ids), 900):
                chunk = ids[start : start + 900]
                cur.execute(
                    f"SELECT {column} FROM {table} WHERE {where}id IN "
                    f"({', '.join(['%s'] * len(chunk))})",
                    chunk,
                )
                values += [row[0] for row in cur.fetchall()]
        found.append(values)
    return found[0], found[1]


def _case(r: random.Random, name: str) -> str:
    """A Latin name as people type it: as is, all lower or all upper case."""
    roll = r.random()
    return name.lower() if roll < 0.15 else name.upper() if roll < 0.25 else name


def generate(path: Path, rows: int, seed: int) -> dict[str, int]:
    """Write the CSV; returns how many rows of each kind it has."""
    from rapport.demo.pools.people import ascii_slug, name_pools
    from rapport.demo.pools.places import country_pool

    r = random.Random(seed)
    pools = name_pools()
    places = [c for c in country_pool() if c.code in _COUNTRY_FORMS]
    emails, phones = _existing_keys(rows // 20 + 10, seed)
    kinds = dict.fromkeys(("new", "duplicate of the database", "duplicate in the file", "bad"), 0)
    written: list[list[str]] = []
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(HEADERS)
        for i in range(rows):
            roll = r.random()
            if roll < 0.05 and emails and phones:
                kinds["duplicate of the database"] += 1
                given, family = "Known", f"Person{i}"
                if r.random() < 0.6:
                    email = r.choice(emails)
                    row = [given, family, email.upper() if r.random() < 0.3 else email, ""]
                else:
                    row = [given, family, "", r.choice(phones)]
                row += ["", "", ""]
            elif roll < 0.06 and written:
                kinds["duplicate in the file"] += 1
                row = list(r.choice(written[-5000:]))
                row[4] = r.choice(_TITLES)
            else:
                country = places[int(r.random() * len(places))]
                pool = pools[country.names]
                given, given_ascii = r.choice(pool.male if r.random() < 0.5 else pool.female)
                family, family_ascii = r.choice(pool.family)
                if not pool.cjk:
                    given, family = _case(r, given), _case(r, family)
                city = r.choice(country.cities)
                formatted, e164 = country.mobile(r.random, city)
                style = r.random()
                phone = e164 if style < 0.3 else formatted
                if country.code == "US" and style > 0.8:
                    phone = formatted.removeprefix("+1").strip()
                local = f"{ascii_slug(given_ascii)}.{ascii_slug(family_ascii)}{i}"
                email = f"{local}@{r.choice(country.free_mail)}"
                row = [
                    given,
                    family,
                    email,
                    phone,
                    r.choice(_TITLES),
                    city.name,
                    r.choice(_COUNTRY_FORMS[country.code]),
                ]
                if r.random() < 0.01:
                    kinds["bad"] += 1
                    bad = r.random()
                    if bad < 0.4:
                        row[2] = row[2].replace("@", " at ")
                    elif bad < 0.7:
                        row[1] = ""
                    else:
                        row[6] = "Atlantis"
                else:
                    kinds["new"] += 1
                    written.append(row)
                    if len(written) > 10_000:
                        del written[:5000]
            out.writerow(row)
    return kinds


def _setup(url: str, media: Path) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ["RAPPORT_VAR_DIR"] = str(media.parent)
    import django
    from django.conf import settings

    # The copy may predate the latest migrations; they run in a process of their own, as on
    # a deployment, so that the pages a migration maps do not count in the import's RSS.
    subprocess.run([*RAPPORT, "migrate", "--noinput", "-v", "0"], check=True, cwd=ROOT)
    django.setup()
    settings.MEDIA_ROOT = str(media)


def run_import(csv_path: Path, profile: Path | None) -> dict[str, Any]:
    """Upload the file as ``admin`` with the policy "update", then run the job as the worker
    does; the seconds of each step and the job's counts."""
    from django.core.files import File

    from rapport.framework.registry import get_record_type
    from rapport.identity.models import User
    from rapport.imports.choices import DuplicatePolicy, ImportStatus
    from rapport.imports.models import ImportJob
    from rapport.imports.services import import_create
    from rapport.imports.tasks import import_run

    admin = User.objects.get(username="admin")
    started = time.perf_counter()
    with csv_path.open("rb") as handle:
        job = import_create(
            user=admin,
            record_type=get_record_type("contacts"),
            upload=File(handle, name=csv_path.name),
            name=csv_path.name,
            duplicate_policy=DuplicatePolicy.UPDATE,
        )
    uploaded = time.perf_counter()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING)
    profiler = cProfile.Profile() if profile else None
    if profiler:
        profiler.enable()
    status = import_run.call(job_id=job.pk)
    if profiler:
        profiler.disable()
        profiler.dump_stats(str(profile))
    finished = time.perf_counter()
    job.refresh_from_db()
    return {
        "status": status,
        "upload_s": uploaded - started,
        "run_s": finished - uploaded,
        "total_s": finished - started,
        "rows": job.total_count,
        "created": job.created_count,
        "updated": job.updated_count,
        "skipped": job.skipped_count,
        "rejected": job.rejected_count,
    }


class HeapPeak:
    """The peak of the process's anonymous resident memory (its heap, without the pages of
    the database file SQLite maps in), sampled from /proc every 0.2 s."""

    def __init__(self) -> None:
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        status = Path("/proc/self/status")
        while not self._stop.is_set():
            for line in status.read_text().splitlines():
                if line.startswith("RssAnon:"):
                    self.peak_kb = max(self.peak_kb, int(line.split()[1]))
            self._stop.wait(0.2)

    def __enter__(self) -> HeapPeak:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


def machine() -> str:
    from django.db import connection

    from bench.__main__ import machine as describe

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SHOW server_version")
            version = cur.fetchone()[0].split()[0]
        return describe().replace("SQLite (WAL)", f"PostgreSQL {version} on the same machine")
    return describe()


def _contacts() -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM contacts_contact")
        return int(cur.fetchone()[0])


def _rest_of_rss() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        return "the rest is shared libraries; the server's memory is not counted"
    return "the rest is mostly the part of the SQLite file mapped in, at most 64 MB"


def _markers() -> tuple[str, str]:
    from django.db import connection

    return (START_PG, END_PG) if connection.vendor == "postgresql" else (START, END)


def table(result: dict[str, Any], kinds: dict[str, int], rss_mb: float, heap_mb: float) -> str:
    rate = result["rows"] / result["total_s"] if result["total_s"] else 0.0
    rate_met = "met" if rate >= TARGET_RATE else "MISSED"
    rss_met = "met" if rss_mb <= TARGET_RSS_MB else "MISSED"
    mix = ", ".join(f"{count:,} {kind}" for kind, count in kinds.items())
    return "\n".join(
        [
            "| measure | value | target |",
            "|---|---:|---|",
            f"| rows in the file | {result['rows']:,} | |",
            f"| rows/s end to end (upload + preview + run) | {rate:,.0f} "
            f"| {rate_met} (≥ {TARGET_RATE:,.0f}) |",
            f"| seconds: upload and preview / run / total | {result['upload_s']:.1f} / "
            f"{result['run_s']:.1f} / {result['total_s']:.1f} | |",
            f"| peak RSS of the process (ru_maxrss) | {rss_mb:,.0f} MB | {rss_met} "
            f"(≤ {TARGET_RSS_MB:,.0f} MB) |",
            f"| of which anonymous memory, peak (RssAnon; {_rest_of_rss()}) "
            f"| {heap_mb:,.0f} MB | |",
            f"| created / updated / skipped / rejected | {result['created']:,} / "
            f"{result['updated']:,} / {result['skipped']:,} / {result['rejected']:,} | |",
            f"| file mix | {mix} | |",
        ]
    )


SECTION = (
    "## Import\n\n"
    "`python -m bench.imports [--db PATH] [--rows N]`: generates a contacts CSV (Latin names in "
    "any case, Chinese names, emails, phones in several writings, countries as codes and names; "
    "~5 % duplicates of existing contacts, ~1 % repeats within the file, ~1 % bad rows), copies "
    "the 1,000,000-contact benchmark database and imports the file into the copy as `admin` "
    'with the duplicate policy "update", through the service the background job runs. The '
    "table below is written by the benchmark itself."
)


def write_docs(report: str, rows: int, contacts: int) -> None:
    """Replace the generated part of the import section of docs/benchmarks.md (PostgreSQL's
    table goes after SQLite's)."""
    start, end = _markers()
    section_write(
        start,
        end,
        f"Last run {dt.date.today().isoformat()} on {machine()}; {rows:,} rows "
        f"into a database of {contacts:,} contacts.\n\n{report}",
        heading=SECTION,
        after=END if start == START_PG else "",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.imports", description=__doc__)
    parser.add_argument("--source", type=Path, default=SOURCE, help="the 1M-contact database")
    parser.add_argument(
        "--db", type=Path, default=ROOT / "var" / "bench" / "import.sqlite3", help="its copy"
    )
    parser.add_argument("--reuse", action="store_true", help="import into --db as it is")
    parser.add_argument(
        "--database-url",
        help="import into this database as it is instead (a PostgreSQL database loaded with "
        "`rapport demo`); its figures go to their own table",
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", type=Path, help="write cProfile stats of the run here")
    parser.add_argument("--no-docs", action="store_true", help="do not update the docs")
    parser.add_argument(
        "--without-subscribers",
        action="store_true",
        help="measure without the event subscribers (notifications), to see their share",
    )
    args = parser.parse_args(argv)

    db = args.db.resolve()
    url = args.database_url or database_url(db)
    if not args.reuse and not args.database_url:
        db.parent.mkdir(parents=True, exist_ok=True)
        for stale in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
            stale.unlink(missing_ok=True)
        started = time.perf_counter()
        shutil.copyfile(args.source, db)
        print(f"copied {args.source} to {db} in {time.perf_counter() - started:.0f} s")
    work = Path(tempfile.mkdtemp(prefix="rapport-import-bench-"))
    csv_path = work / "contacts.csv"
    started = time.perf_counter()
    _setup(url, work / "media")
    from rapport.framework.bulk import bounded_mapping

    # The benchmark's own reads (counts, known emails and phones) map nothing of the SQLite
    # file: pages mapped then would count in the peak RSS measured for the import.
    with bounded_mapping(0):
        contacts = _contacts()
        kinds = generate(csv_path, args.rows, args.seed)
    print(f"generated {args.rows:,} rows in {time.perf_counter() - started:.0f} s: {kinds}")
    if args.without_subscribers:
        from rapport.framework import events

        for handler in list(events._handlers):
            events.unsubscribe(handler)
    with HeapPeak() as heap, database_time() as spent:
        result = run_import(csv_path, args.profile)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report = table(result, kinds, rss_mb, heap.peak_kb / 1024)
    report += "\n\n" + phases_table(spent, result["rows"], result["run_s"])
    print()
    print(f"{dt.date.today().isoformat()} — {machine()}")
    print(report)
    if args.profile:
        out = io.StringIO()
        pstats.Stats(str(args.profile), stream=out).sort_stats("cumulative").print_stats(40)
        print(out.getvalue())
    if not args.no_docs and not args.without_subscribers:
        write_docs(report, args.rows, contacts)
    shutil.rmtree(work, ignore_errors=True)
    return 0 if result["status"] == "done" else 1


if __name__ == "__main__":
    sys.exit(main())
