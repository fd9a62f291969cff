"""Request parameters drawn from the benchmark database: owners, names, phones, ids."""

from __future__ import annotations

import json
import random
import sqlite3
import subprocess
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from bench.database import RAPPORT, ROOT, database_url
from bench.driver import Request, Scenario


@dataclass(frozen=True)
class Samples:
    owners: list[int]
    prefixes: list[str]
    phone_digits: list[str]
    id_range: tuple[int, int]


def load_samples(db: Path, count: int = 500) -> Samples:
    rng = random.Random(42)
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        owners = [
            r[0]
            for r in conn.execute(
                "SELECT owner_id FROM contacts_contact GROUP BY owner_id HAVING COUNT(*) > 100"
            )
        ]
        low, high = conn.execute("SELECT MIN(id), MAX(id) FROM contacts_contact").fetchone()
        ids = [rng.randint(low, high) for _ in range(count)]
        marks = ",".join("?" * len(ids))
        rows = conn.execute(
            f"SELECT display_name, primary_phone FROM contacts_contact WHERE id IN ({marks})", ids
        ).fetchall()
    prefixes = []
    for name, _phone in rows:
        # Chinese names: family name plus the first given character; others: 3 letters
        prefixes.append(name[:2] if not name[:1].isascii() else name[:3])
    phones = [phone.lstrip("+") for _name, phone in rows if phone]
    return Samples(owners, prefixes, phones, (low, high))


def issue_token(db: Path, env: dict[str, str]) -> str:
    """A read-write personal API token of the ``admin`` user (created through the service)."""
    code = (
        "import django; django.setup(); "
        "from rapport.identity.models import User; "
        "from rapport.identity.choices import TokenScope; "
        "from rapport.identity.services import api_token_create; "
        "print(api_token_create(user=User.objects.get(username='admin'), name='bench', "
        "scope=TokenScope.READ_WRITE).secret)"
    )
    out = subprocess.run(
        [RAPPORT[0], "-c", code],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={
            **env,
            "DATABASE_URL": database_url(db),
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
        },
    )
    return out.stdout.strip().splitlines()[-1]


def scenarios(samples: Samples) -> list[Scenario]:
    """The five requests of the foundation benchmark."""
    low, high = samples.id_range

    def list_by_owner(rng: random.Random, _n: int) -> Request:
        owner = rng.choice(samples.owners)
        return "GET", f"/api/contacts/?owner={owner}&ordering=display_name&limit=50", None

    def search_prefix(rng: random.Random, _n: int) -> Request:
        q = urllib.parse.quote(rng.choice(samples.prefixes))
        return "GET", f"/api/contacts/?q={q}", None

    def search_phone(rng: random.Random, _n: int) -> Request:
        return "GET", f"/api/contacts/?q={rng.choice(samples.phone_digits)}", None

    def retrieve(rng: random.Random, _n: int) -> Request:
        return "GET", f"/api/contacts/{rng.randint(low, high)}/", None

    def create(rng: random.Random, n: int) -> Request:
        body = {
            "given_name": "Bench",
            "family_name": f"Load {n}",
            "job_title": "Benchmark contact",
            "emails": [{"email": f"bench.{n}@example.com"}],
            "phones": [{"number": f"+1 415-{200 + n % 700:03d}-{n % 10000:04d}", "label": "work"}],
        }
        return "POST", "/api/contacts/", json.dumps(body).encode()

    return [
        Scenario("list contacts (owner, by name, 50)", list_by_owner),
        Scenario("search by name prefix", search_prefix),
        Scenario("search by phone digits", search_phone),
        Scenario("retrieve contact", retrieve),
        Scenario("create contact", create, expect=201),
    ]
