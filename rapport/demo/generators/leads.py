"""Leads in every status; disqualified ones carry a reason."""

from __future__ import annotations

from collections.abc import Iterator

from rapport.accounts.choices import Source
from rapport.contacts.choices import Salutation
from rapport.demo.generators.context import DemoContext
from rapport.demo.pools.companies import company
from rapport.demo.pools.people import name_pools
from rapport.demo.pools.phrases import JOB_TITLES_EN, JOB_TITLES_ZH
from rapport.demo.pools.places import country_pool
from rapport.demo.writer import Batch, Table
from rapport.framework.text import person_display_name
from rapport.leads.choices import DisqualifiedReason, LeadRating, LeadStatus
from rapport.leads.models import Lead

LEADS = Table(
    Lead,
    (
        "id",
        "owner",
        "team",
        "created_by",
        "updated_by",
        "created_at",
        "updated_at",
        "custom_fields",
        "salutation",
        "given_name",
        "family_name",
        "display_name",
        "email",
        "phone",
        "phone_e164",
        "job_title",
        "company",
        "website",
        "industry",
        "employee_count",
        "city",
        "region",
        "country",
        "source",
        "status",
        "disqualified_reason",
        "rating",
        "description",
    ),
)
LEAD_TAGS = Table(Lead.tags.through, ("lead", "tag"))

_STATUSES = tuple(LeadStatus.values)
# Recent leads are still new or being worked; older ones are mostly decided.
_RECENT = (
    (LeadStatus.NEW,) * 4
    + (LeadStatus.WORKING,) * 3
    + (LeadStatus.NURTURING,) * 2
    + (LeadStatus.QUALIFIED, LeadStatus.DISQUALIFIED)
)
_OLD = (
    (LeadStatus.NURTURING,) * 2
    + (LeadStatus.QUALIFIED,) * 4
    + (LeadStatus.DISQUALIFIED,) * 4
    + (LeadStatus.WORKING,)
)
_REASONS = tuple(DisqualifiedReason.values)
_RATINGS = (*LeadRating.values, "")
_SOURCES = tuple(Source.values)


def lead_batches(ctx: DemoContext) -> Iterator[Batch]:
    """All leads, ``batch_size`` at a time."""
    rng = ctx.rng("leads")
    r = rng.random
    clock, plan, base = ctx.clock, ctx.plan, ctx.lead_base
    total, pools, pool, tags = plan.leads, name_pools(), country_pool(), ctx.org.tag_ids
    rows: list[tuple[object, ...]] = []
    tag_rows: list[tuple[object, ...]] = []
    for i in range(total):
        pk = base + i + 1
        country = pool[int(r() * len(pool))]
        city = country.cities[int(r() * len(country.cities))]
        seller = ctx.seller(r(), country)
        names = pools[country.names]
        given_pool = names.female if r() < 0.5 else names.male
        given, given_ascii = given_pool[int(r() * len(given_pool))]
        family, family_ascii = names.family[int(r() * len(names.family))]
        firm = company(r, country, city.name)
        created = int((i + r()) / total * clock.span)
        recent = clock.now - created < 60 * 86400
        if i < len(_STATUSES):
            status = _STATUSES[i]
        else:
            statuses = _RECENT if recent else _OLD
            status = statuses[int(r() * len(statuses))]
        phone, e164 = country.mobile(r, city) if r() < 0.5 else country.landline(r, city)
        local = f"{given_ascii}.{family_ascii}" if given_ascii and family_ascii else f"lead{pk}"
        titles = JOB_TITLES_ZH if names.cjk else JOB_TITLES_EN
        updated = created + int(r() * (clock.span - created))
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
                "" if names.cjk or r() < 0.7 else Salutation.DR,
                given,
                family,
                person_display_name(given, family),
                f"{local}@{firm.domain}",
                phone,
                e164,
                titles[int(r() * len(titles))],
                firm.name,
                firm.website,
                firm.industry,
                firm.employees,
                city.name,
                city.region,
                country.code,
                _SOURCES[int(r() * len(_SOURCES))],
                status,
                _REASONS[int(r() * len(_REASONS))] if status == LeadStatus.DISQUALIFIED else "",
                _RATINGS[int(r() * len(_RATINGS))],
                "",
            )
        )
        if r() < 0.1:
            tag_rows.append((pk, tags[int(r() * len(tags))]))
        if len(rows) >= plan.batch_size:
            yield {LEADS: rows, LEAD_TAGS: tag_rows}
            rows, tag_rows = [], []
    yield {LEADS: rows, LEAD_TAGS: tag_rows}
