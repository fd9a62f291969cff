"""Opportunities in every stage of every pipeline, with contact roles and stage history.

Deals older than a few months are mostly closed (won or lost, with ``closed_at``); every
stay in a stage is one ``StageHistory`` row, the last one still open.
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


def _every_stage(ctx: DemoContext) -> list[tuple[PipelineInfo, StageInfo]]:
    return [(p, s) for p in ctx.org.pipelines for s in p.stages]


def _pick_stage(r: float, r2: float, age: int, pipeline: PipelineInfo) -> StageInfo:
    """Older deals are more likely closed; renewals are won more often than new business."""
    if r < min(0.92, age / (_CLOSING_DAYS * DAY)):
        win_rate = 0.8 if len(pipeline.open) < 3 else 0.3
        return pipeline.won if r2 < win_rate else pipeline.lost
    # earlier stages hold more open deals
    return pipeline.open[int(r2 * r2 * len(pipeline.open))]


def opportunity_batches(ctx: DemoContext) -> Iterator[Batch]:
    """All opportunities and their child rows, ``batch_size`` at a time."""
    rng = ctx.rng("opportunities")
    r = rng.random
    clock, plan = ctx.clock, ctx.plan
    total, n_contacts, n_accounts = plan.opportunities, plan.contacts, plan.accounts
    base, forced, tags = ctx.opportunity_base, _every_stage(ctx), ctx.org.tag_ids
    pipelines = ctx.org.pipelines
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
        if i < len(forced):
            pipeline, stage = forced[i]
        else:
            pipeline = (
                pipelines[0]
                if r() < 0.75 or len(pipelines) == 1
                else pipelines[1 + int(r() * (len(pipelines) - 1))]
            )
            stage = _pick_stage(r(), r(), clock.now - created, pipeline)
        is_open = stage.kind == "open"
        end = clock.now if is_open else min(clock.now - DAY, created + int((14 + r() * 160) * DAY))
        end = max(end, created + 3600)
        # stage history: the open stages up to the current one (or to where it was decided)
        if is_open:
            path = [*pipeline.open[: pipeline.open.index(stage) + 1]]
        else:
            path = [*pipeline.open[: 1 + int(r() * len(pipeline.open))], stage]
        step = (end - created) // len(path)
        times = [created + step * k for k in range(len(path))]
        if not is_open:
            times[-1] = end
        for k, s in enumerate(path):
            left = clock.ts(times[k + 1]) if k + 1 < len(path) else None
            batch[STAGE_HISTORY].append((pk, s.id, clock.ts(times[k]), left, owner))
        amount = math.exp(9.3 + 1.5 * (r() + r() + r() - 1.5)) * country.usd_rate
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
        if len(batch[OPPORTUNITIES]) >= plan.batch_size:
            yield batch
            batch = {k: [] for k in empty}
    yield batch
