"""Opportunities in every stage of every pipeline, with contact roles and stage history.

Deals older than a few months are mostly closed (won or lost, with ``closed_at``); every
stay in a stage is one ``StageHistory`` row, the last one still open.

Outcomes follow a plausible hidden model, so that the win-probability model has something
real to learn: the log-odds of winning rise with the owner's skill (a fixed trait per seller)
and the deal's engagement (which also sets how many activities it gets, see ``activities``),
fall with the amount, and peak for deals closing in December (a year-end push, which also
gives the bookings series its monthly seasonality). Won deals pass every open stage; lost
ones drop out at a random stage, so reaching a later stage raises the chance of winning.
Every won deal becomes an order (see ``orders``).
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from rapport.accounts.choices import Source
from rapport.demo.clock import DAY
from rapport.demo.generators.context import DemoContext
from rapport.demo.org import PipelineInfo, StageInfo
from rapport.demo.pools.phrases import LOST_REASONS, NEXT_STEPS, PRODUCTS
from rapport.demo.writer import Batch, Table
from rapport.opportunities.choices import ContactRole
from rapport.opportunities.models import Opportunity, OpportunityContact, StageHistory

OPPORTUNITIES = Table(
    Opportunity,
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
        "account",
        "primary_contact",
        "pipeline",
        "stage",
        "amount",
        "currency",
        "expected_close_date",
        "probability",
        "next_step",
        "description",
        "lost_reason",
        "source",
        "closed_at",
    ),
)
OPPORTUNITY_CONTACTS = Table(OpportunityContact, ("opportunity", "contact", "role"))
STAGE_HISTORY = Table(StageHistory, ("opportunity", "stage", "entered_at", "left_at", "changed_by"))
OPPORTUNITY_TAGS = Table(Opportunity.tags.through, ("opportunity", "tag"))

_ROLES = tuple(ContactRole.values)
_SOURCES = tuple(Source.values)
_CLOSING_DAYS = 150  # a deal this old is almost surely decided
_GROWTH_PER_YEAR = 0.12  # deal sizes grow over the years: the bookings series has a trend


def _every_stage(ctx: DemoContext) -> list[tuple[PipelineInfo, StageInfo]]:
    return [(p, s) for p in ctx.org.pipelines for s in p.stages]


def _is_closed(r: float, age: int) -> bool:
    """Older deals are more likely decided."""
    return r < min(0.92, age / (_CLOSING_DAYS * DAY))


def _win_chance(
    pipeline: PipelineInfo, skill: float, engagement: float, size: float, month: int
) -> float:
    """The hidden model: renewals are won more often than new business; see the docstring."""
    base = 1.4 if len(pipeline.open) < 3 else -1.0
    season = 0.45 * math.cos(2 * math.pi * (month - 12) / 12)
    logit = base + skill + 2.4 * (engagement - 0.55) - 1.2 * size + season
    return 1 / (1 + math.exp(-logit))


def _skills(ctx: DemoContext) -> dict[int, float]:
    """Each seller's fixed skill (log-odds added to their deals' chance of winning)."""
    rng = ctx.rng("skills")
    return {s.user_id: rng.gauss(0, 0.6) for s in sorted(ctx.all_sellers, key=lambda s: s.user_id)}


def opportunity_batches(ctx: DemoContext) -> Iterator[Batch]:
    """All opportunities and their child rows, ``batch_size`` at a time."""
    rng = ctx.rng("opportunities")
    r = rng.random
    clock, plan = ctx.clock, ctx.plan
    total, n_contacts, n_accounts = plan.opportunities, plan.contacts, plan.accounts
    base, forced, tags = ctx.opportunity_base, _every_stage(ctx), ctx.org.tag_ids
    pipelines = ctx.org.pipelines
    skills = _skills(ctx)
    empty: Batch = {
        OPPORTUNITIES: [],
        OPPORTUNITY_CONTACTS: [],
        STAGE_HISTORY: [],
        OPPORTUNITY_TAGS: [],
    }
    batch: Batch = {k: [] for k in empty}
    for i in range(total):
        pk = base + i + 1
        c = int(r() * n_contacts)
        while not ctx.contact_account[c]:
            c = int(r() * n_contacts)
        a = ctx.contact_account[c] - 1
        country = ctx.countries[ctx.account_country[a]]
        owner = ctx.account_owner[a]
        created = int((i + r()) / total * clock.span)
        engagement = 0.1 + 0.9 * r()
        size = r() + r() + r() - 1.5
        if i < len(forced):
            pipeline, stage = forced[i]
            is_open = stage.kind == "open"
        else:
            pipeline = (
                pipelines[0]
                if r() < 0.75 or len(pipelines) == 1
                else pipelines[1 + int(r() * (len(pipelines) - 1))]
            )
            is_open = not _is_closed(r(), clock.now - created)
            # earlier stages hold more open deals
            r2 = r()
            stage = pipeline.open[int(r2 * r2 * len(pipeline.open))]
        end = clock.now if is_open else min(clock.now - DAY, created + int((14 + r() * 160) * DAY))
        end = max(end, created + 3600)
        if not is_open and i >= len(forced):
            month = int(clock.date(end)[5:7])
            chance = _win_chance(pipeline, skills.get(owner, 0.0), engagement, size, month)
            stage = pipeline.won if r() < chance else pipeline.lost
        # stage history: the open stages up to the current one (or to where it was decided);
        # won deals went through every open stage, lost ones dropped out somewhere
        if is_open:
            path = [*pipeline.open[: pipeline.open.index(stage) + 1]]
        elif stage.kind == "won":
            path = [*pipeline.open, stage]
        else:
            path = [*pipeline.open[: 1 + int(r() * len(pipeline.open))], stage]
        step = (end - created) // len(path)
        times = [created + step * k for k in range(len(path))]
        if not is_open:
            times[-1] = end
        for k, s in enumerate(path):
            left = clock.ts(times[k + 1]) if k + 1 < len(path) else None
            batch[STAGE_HISTORY].append((pk, s.id, clock.ts(times[k]), left, owner))
        growth = math.exp(_GROWTH_PER_YEAR * created / (365 * DAY))
        amount = math.exp(9.3 + 1.5 * size) * country.usd_rate * growth
        close_date = clock.date(end + int((7 + r() * 120) * DAY)) if is_open else clock.date(end)
        batch[OPPORTUNITIES].append(
            (
                pk,
                owner,
                ctx.team_of.get(owner),
                owner,
                owner,
                clock.ts(created),
                clock.ts(times[-1]),
                "{}",
                f"{ctx.account_name[a]}: {PRODUCTS[int(r() * len(PRODUCTS))]}",
                ctx.account_base + a + 1,
                ctx.contact_base + c + 1,
                pipeline.id,
                stage.id,
                f"{round(amount, -2):.2f}",
                country.currency,
                close_date,
                stage.probability,
                NEXT_STEPS[int(r() * len(NEXT_STEPS))] if is_open else "",
                "",
                LOST_REASONS[int(r() * len(LOST_REASONS))] if stage.kind == "lost" else "",
                _SOURCES[int(r() * len(_SOURCES))],
                None if is_open else clock.ts(end),
            )
        )
        batch[OPPORTUNITY_CONTACTS].append(
            (pk, ctx.contact_base + c + 1, _ROLES[int(r() * len(_ROLES))])
        )
        other = c + n_accounts if r() < 0.5 else c - n_accounts
        if r() < 0.4 and 0 <= other < n_contacts and ctx.contact_account[other] == a + 1:
            batch[OPPORTUNITY_CONTACTS].append(
                (pk, ctx.contact_base + other + 1, _ROLES[int(r() * len(_ROLES))])
            )
        if r() < 0.1:
            batch[OPPORTUNITY_TAGS].append((pk, tags[int(r() * len(tags))]))
        ctx.opportunity_owner.append(owner)
        ctx.opportunity_engagement.append(engagement)
        ctx.opportunity_life.extend((created, end))
        if stage.kind == "won":
            ctx.won.append((pk, a, c, owner, end, f"{round(amount, -2):.2f}", country.currency))
        if len(batch[OPPORTUNITIES]) >= plan.batch_size:
            yield batch
            batch = {k: [] for k in empty}
    yield batch
