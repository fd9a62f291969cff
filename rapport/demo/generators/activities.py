"""Activities over the demo's years: tasks, calls, meetings, notes and logged e-mails, each
linked to a contact, an account or an opportunity and owned by that record's owner.

An opportunity's activities fall within its life (created to decided, or to now) and engaged
deals get more of them (the deal's engagement also raises its chance of winning)."""

from __future__ import annotations

from collections.abc import Iterator

from rapport.activities.choices import ActivityKind
from rapport.activities.models import Activity
from rapport.demo.clock import DAY
from rapport.demo.generators.context import DemoContext
from rapport.demo.pools.phrases import ACTIVITY_SUBJECTS, NOTE_BODIES
from rapport.demo.writer import Batch, Table

ACTIVITIES = Table(
    Activity,
    (
        "id",
        "owner",
        "team",
        "created_by",
        "updated_by",
        "created_at",
        "updated_at",
        "custom_fields",
        "kind",
        "subject",
        "body",
        "due_at",
        "start_at",
        "end_at",
        "done",
        "done_at",
        "related_type",
        "related_id",
    ),
)
PARTICIPANT_CONTACTS = Table(Activity.participant_contacts.through, ("activity", "contact"))
PARTICIPANT_USERS = Table(Activity.participant_users.through, ("activity", "user"))

_KINDS = (
    (ActivityKind.TASK,) * 5
    + (ActivityKind.CALL,) * 5
    + (ActivityKind.MEETING,) * 3
    + (ActivityKind.NOTE,) * 3
    + (ActivityKind.EMAIL,) * 4
)


def activity_batches(ctx: DemoContext) -> Iterator[Batch]:
    """All activities and their participants, ``batch_size`` at a time."""
    rng = ctx.rng("activities")
    r = rng.random
    clock, plan, base = ctx.clock, ctx.plan, ctx.activity_base
    total, n_contacts, n_accounts = plan.activities, plan.contacts, plan.accounts
    n_opps = plan.opportunities
    types = ctx.org.content_types
    empty: Batch = {ACTIVITIES: [], PARTICIPANT_CONTACTS: [], PARTICIPANT_USERS: []}
    batch: Batch = {k: [] for k in empty}
    for i in range(total):
        pk = base + i + 1
        kind = (
            _KINDS[int(r() * len(_KINDS))]
            if i >= len(ActivityKind.values)
            else ActivityKind.values[i]
        )
        roll = r()
        contact = -1
        when = int((i + r()) / total * clock.span)
        if roll < 0.35 and n_opps:
            o = int(r() * n_opps)
            for _retry in range(6):  # rejection sampling: engaged deals are picked more often
                if r() < ctx.opportunity_engagement[o]:
                    break
                o = int(r() * n_opps)
            born, decided = ctx.opportunity_life[2 * o], ctx.opportunity_life[2 * o + 1]
            when = born + int(r() * (decided - born))
            owner, related = (
                ctx.opportunity_owner[o],
                (types["opportunities"], ctx.opportunity_base + o + 1),
            )
        elif roll < 0.55:
            a = int(r() * n_accounts)
            owner, related = ctx.account_owner[a], (types["accounts"], ctx.account_base + a + 1)
        else:
            contact = int(r() * n_contacts)
            owner, related = (
                ctx.contact_owner[contact],
                (types["contacts"], ctx.contact_base + contact + 1),
            )
        due = start = end = done_at = None
        subjects = ACTIVITY_SUBJECTS[kind]
        body = ""
        if kind == ActivityKind.TASK:
            due_s = when + int((1 + r() * 13) * DAY)
            due = clock.ts(due_s)
            done = due_s < clock.now - 2 * DAY and r() < 0.95
            done_at = clock.ts(min(due_s, clock.now)) if done else None
        elif kind in (ActivityKind.CALL, ActivityKind.MEETING):
            start_s = clock.business_hours(when, 8 * 60 + int(r() * 9 * 60))
            end_s = start_s + (15 + int(r() * 6) * 15) * 60
            start, end = clock.ts(start_s), clock.ts(end_s)
            done = end_s < clock.now
            done_at = end if done else None
            when = min(when, start_s)
        else:
            body = NOTE_BODIES[int(r() * len(NOTE_BODIES))]
            done, done_at = True, clock.ts(when)
        batch[ACTIVITIES].append(
            (
                pk,
                owner,
                ctx.team_of.get(owner),
                owner,
                owner,
                clock.ts(when),
                clock.ts(when),
                "{}",
                kind,
                subjects[int(r() * len(subjects))],
                body,
                due,
                start,
                end,
                done,
                done_at,
                related[0],
                related[1],
            )
        )
        if contact >= 0 and kind in (ActivityKind.CALL, ActivityKind.MEETING):
            batch[PARTICIPANT_CONTACTS].append((pk, ctx.contact_base + contact + 1))
        if kind == ActivityKind.MEETING:
            batch[PARTICIPANT_USERS].append((pk, owner))
        if len(batch[ACTIVITIES]) >= plan.batch_size:
            yield batch
            batch = {k: [] for k in empty}
    yield batch
