"""Accounts: companies across the demo's countries, with websites, sizes and revenue."""

from __future__ import annotations

from collections.abc import Iterator

from rapport.accounts.choices import LifecycleStage, Source
from rapport.accounts.models import Account
from rapport.demo.generators.context import DemoContext
from rapport.demo.pools.companies import company
from rapport.demo.pools.places import country_pool
from rapport.demo.writer import Batch, Table

ACCOUNTS = Table(
    Account,
    (
        "id",
        "owner",
        "team",
        "created_by",
        "updated_by",
        "created_at",
        "updated_at",
        "custom_fields",
        "name",
        "website",
        "domain",
        "industry",
        "employee_count",
        "annual_revenue",
        "annual_revenue_currency",
        "phone",
        "phone_e164",
        "billing_street",
        "billing_city",
        "billing_region",
        "billing_postal_code",
        "billing_country",
        "shipping_street",
        "shipping_city",
        "shipping_region",
        "shipping_postal_code",
        "shipping_country",
        "parent",
        "lifecycle_stage",
        "source",
        "description",
    ),
)
ACCOUNT_TAGS = Table(Account.tags.through, ("account", "tag"))
_LIFECYCLE = (
    (LifecycleStage.PROSPECT,) * 5
    + (LifecycleStage.CUSTOMER,) * 4
    + (LifecycleStage.FORMER_CUSTOMER,)
)
_SOURCES = tuple(Source.values)


def _unique(domain: str, used: set[str]) -> str:
    if domain not in used:
        used.add(domain)
        return domain
    head, _dot, tail = domain.partition(".")
    k = 2
    while f"{head}{k}.{tail}" in used:
        k += 1
    used.add(f"{head}{k}.{tail}")
    return f"{head}{k}.{tail}"


def account_batches(ctx: DemoContext) -> Iterator[Batch]:
    """All accounts, ``batch_size`` at a time; fills the context's account arrays."""
    rng = ctx.rng("accounts")
    r = rng.random
    clock, total, base = ctx.clock, ctx.plan.accounts, ctx.account_base
    pool, index_of = country_pool(), {c.code: i for i, c in enumerate(ctx.countries)}
    used: set[str] = set()
    tags = ctx.org.tag_ids
    rows: list[tuple[object, ...]] = []
    tag_rows: list[tuple[object, ...]] = []
    for a in range(total):
        country = pool[int(r() * len(pool))]
        city_index = int(r() * len(country.cities))
        city = country.cities[city_index]
        firm = company(r, country, city.name)
        domain = _unique(firm.domain, used)
        seller = ctx.seller(r(), country)
        created = int((a + r()) / total * clock.span)
        updated = created + int(r() * (clock.span - created))
        revenue = firm.employees * (60_000 + r() * 240_000) * country.usd_rate
        phone, phone_e164 = country.landline(r, city)
        street, postal = country.street(r, city), city.postal_code(r)
        pk = base + a + 1
        parent = base + 1 + int(r() * a) if a > 10 and r() < 0.03 else None
        rows.append(
            (
                pk,
                seller.user_id,
                seller.team_id,
                seller.user_id,
                seller.user_id,
                clock.ts(created),
                clock.ts(updated),
                "{}",
                firm.name,
                f"https://www.{domain}",
                domain,
                firm.industry,
                firm.employees,
                f"{round(revenue, -3):.2f}",
                country.currency,
                phone,
                phone_e164,
                street,
                city.name,
                city.region,
                postal,
                country.code,
                street,
                city.name,
                city.region,
                postal,
                country.code,
                parent,
                _LIFECYCLE[int(r() * len(_LIFECYCLE))],
                _SOURCES[int(r() * len(_SOURCES))],
                "",
            )
        )
        if r() < 0.15:
            tag_rows.append((pk, tags[int(r() * len(tags))]))
        ctx.account_country.append(index_of[country.code])
        ctx.account_city.append(city_index)
        ctx.account_owner.append(seller.user_id)
        ctx.account_name.append(firm.name)
        ctx.account_domain.append(domain)
        if len(rows) >= ctx.plan.batch_size:
            yield {ACCOUNTS: rows, ACCOUNT_TAGS: tag_rows}
            rows, tag_rows = [], []
    yield {ACCOUNTS: rows, ACCOUNT_TAGS: tag_rows}
