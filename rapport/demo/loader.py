"""``demo_load``: fill the database with a realistic, reproducible demo CRM.

Rows are generated in chunks from seeded random streams and bulk-inserted (see ``writer``);
ids are assigned up front so children reference their parents without reading them back,
and the denormalised fields are written directly. The framework's per-record services are
bypassed on purpose: one save per row would take hours for a million contacts.

Change log: instead of one entry per generated record, the load writes ONE summary entry
(actor "system", channel "command line", action "create") on the ``admin`` user, whose
``after`` holds the seed and the row counts. The change log stays a record of real changes
while still telling an administrator when and how the demo data arrived.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone

from rapport.accounts.models import Account
from rapport.activities.models import Activity
from rapport.contacts.models import Contact
from rapport.core.models import ChangeLogEntry
from rapport.demo.clock import Clock
from rapport.demo.generators.accounts import ACCOUNT_TAGS, ACCOUNTS, account_batches
from rapport.demo.generators.activities import (
    ACTIVITIES,
    PARTICIPANT_CONTACTS,
    PARTICIPANT_USERS,
    activity_batches,
)
from rapport.demo.generators.contacts import (
    CONTACT_TAGS,
    CONTACTS,
    EMAILS,
    MEMBERSHIPS,
    PHONES,
    contact_batches,
)
from rapport.demo.generators.context import DemoContext
from rapport.demo.generators.deals import (
    OPPORTUNITIES,
    OPPORTUNITY_CONTACTS,
    OPPORTUNITY_TAGS,
    STAGE_HISTORY,
    opportunity_batches,
)
from rapport.demo.generators.leads import LEAD_TAGS, LEADS, lead_batches
from rapport.demo.generators.orders import ORDER_LINES, ORDERS, order_batches
from rapport.demo.org import org_setup
from rapport.demo.plan import DemoPlan, DemoResult
from rapport.demo.writer import Batch, RowWriter, load_session, max_id
from rapport.forecasts.services import forecast_rollup_rebuild_now
from rapport.framework.choices import ActorKind, ChangeAction, Channel
from rapport.framework.search import search_reindex
from rapport.identity.models import User
from rapport.leads.models import Lead
from rapport.opportunities.models import Opportunity
from rapport.orders.models import Order

Progress = Callable[[str], None]
_RECORD_MODELS = (Account, Contact, Opportunity, Lead, Activity, Order)
_TABLES = tuple(
    t.name
    for t in (
        ACCOUNTS,
        ACCOUNT_TAGS,
        CONTACTS,
        EMAILS,
        PHONES,
        MEMBERSHIPS,
        CONTACT_TAGS,
        OPPORTUNITIES,
        OPPORTUNITY_CONTACTS,
        STAGE_HISTORY,
        OPPORTUNITY_TAGS,
        LEADS,
        LEAD_TAGS,
        ACTIVITIES,
        PARTICIPANT_CONTACTS,
        PARTICIPANT_USERS,
        ORDERS,
        ORDER_LINES,
    )
)


def database_has_contacts() -> bool:
    """True when the database already holds contacts (``--if-empty`` then does nothing)."""
    return Contact.objects.exists()


def _phases(ctx: DemoContext) -> list[tuple[str, Callable[[DemoContext], Iterator[Batch]]]]:
    return [
        ("accounts", account_batches),
        ("contacts", contact_batches),
        ("opportunities", opportunity_batches),
        ("orders", lambda c: order_batches(c, max_id(Order))),
        ("leads", lead_batches),
        ("activities", activity_batches),
    ]


def _summary_entry(admin: User, plan: DemoPlan, counts: dict[str, int]) -> None:
    ChangeLogEntry.objects.create(
        time=timezone.now(),
        actor_kind=ActorKind.SYSTEM,
        user=None,
        channel=Channel.CLI,
        action=ChangeAction.CREATE,
        content_type=ContentType.objects.get_for_model(User),
        object_id=admin.pk,
        object_repr=f"Demo data (seed {plan.seed})",
        after={
            "demo": {
                "seed": plan.seed,
                "contacts": plan.contacts,
                "as_of": plan.as_of.isoformat(),
                "rows": counts,
            }
        },
    )


def demo_load(
    *,
    contacts: int,
    seed: int,
    as_of: dt.date | None = None,
    years: int = 4,
    search_index: bool = True,
    progress: Progress | None = None,
) -> DemoResult:
    """Generate the demo for ``contacts`` contacts with random seed ``seed``.

    The same seed and ``as_of`` date give the same data. Runs in one transaction; with
    ``search_index`` the search index is rebuilt at the end (in the same transaction).
    """
    say = progress or (lambda _msg: None)
    started = time.monotonic()
    plan = DemoPlan(contacts=contacts, seed=seed, as_of=as_of or timezone.now().date(), years=years)
    clock = Clock(plan.as_of, plan.years)
    result = DemoResult()
    grows = max_id(Contact) < plan.contacts  # the load at least doubles the tables
    with load_session(rebuild_indexes=_TABLES if grows else ()) as writer:
        org, org_counts = org_setup(plan, clock)
        for name, rows in org_counts.items():
            result.add(name, rows)
        ctx = DemoContext(
            plan,
            clock,
            org,
            max_id(Account),
            max_id(Contact),
            max_id(Opportunity),
            max_id(Lead),
            max_id(Activity),
        )
        for name, phase in _phases(ctx):
            phase_start = time.monotonic()
            for batch in phase(ctx):
                writer.write(batch)
            say(f"  {name:<14} {time.monotonic() - phase_start:6.1f} s")
        phase_start = time.monotonic()
        writer.rebuild_indexes()
        say(f"  {'indexes':<14} {time.monotonic() - phase_start:6.1f} s")
        if search_index:
            phase_start = time.monotonic()
            result.add("search index entries", search_reindex())
            say(f"  {'search index':<14} {time.monotonic() - phase_start:6.1f} s")
        # The demo writes opportunities around the services that keep the forecast
        # rollup current: rebuild it once, so that the forecast page has figures at once.
        phase_start = time.monotonic()
        result.add("forecast rollup rows", forecast_rollup_rebuild_now())
        say(f"  {'forecast':<14} {time.monotonic() - phase_start:6.1f} s")
        _finish(writer)
        result.counts.update(writer.counts)
        _summary_entry(org.admin, plan, result.counts)
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    result.seconds = time.monotonic() - started
    return result


def _finish(writer: RowWriter) -> None:
    if connection.vendor == "postgresql":
        writer.reset_sequences(list(_RECORD_MODELS))
    writer.analyze()
