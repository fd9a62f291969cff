"""The demo generator: proportions, coverage, reproducibility and valid records."""

from __future__ import annotations

import hashlib
import io
import random

import phonenumbers
import pytest
from django.core.management import call_command
from django.db import connection, transaction

from rapport.accounts.models import Account
from rapport.activities.choices import ActivityKind
from rapport.activities.models import Activity
from rapport.contacts.models import AccountMembership, Contact, ContactEmail, ContactPhone
from rapport.core.models import ChangeLogEntry
from rapport.currencies.models import ExchangeRate
from rapport.demo.loader import demo_load
from rapport.demo.plan import DemoResult
from rapport.demo.tests.conftest import AS_OF, CONTACTS
from rapport.forecasts.models import ForecastRollup
from rapport.forecasts.rollup import rollup_rebuild
from rapport.framework.text import has_cjk, phone_e164
from rapport.identity.models import Team, User
from rapport.leads.choices import LeadStatus
from rapport.leads.models import Lead
from rapport.opportunities.choices import StageKind
from rapport.opportunities.models import Opportunity, Stage, StageHistory
from rapport.orders.choices import OrderStatus
from rapport.orders.models import Order


class Rollback(Exception):
    pass


def _fingerprint() -> str:
    """A hash of the generated content, independent of database-assigned child ids."""
    parts = [
        list(
            Contact.objects.order_by("id").values_list(
                "id",
                "display_name",
                "primary_email",
                "primary_phone",
                "primary_account__name",
                "owner__username",
                "created_at",
                "city",
            )
        ),
        list(
            Opportunity.objects.order_by("id").values_list(
                "name", "amount", "currency_id", "stage__name", "closed_at", "owner__username"
            )
        ),
        list(
            Activity.objects.order_by("id").values_list(
                "kind", "subject", "created_at", "related_id"
            )
        ),
        list(Lead.objects.order_by("id").values_list("display_name", "status", "phone")),
        list(
            ContactPhone.objects.order_by("contact_id", "number").values_list(
                "contact_id", "number", "e164", "is_primary"
            )
        ),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def test_counts_follow_the_number_of_contacts(demo: DemoResult) -> None:
    assert Contact.objects.count() == CONTACTS
    assert Account.objects.count() == CONTACTS // 10
    assert Opportunity.objects.count() == CONTACTS * 3 // 10
    assert Activity.objects.count() == CONTACTS
    assert Lead.objects.count() == CONTACTS // 5
    assert demo.counts["contacts_contact"] == CONTACTS
    assert User.objects.filter(username="admin", is_superuser=True).exists()
    reps = User.objects.filter(role__name="Sales rep")
    assert reps.count() >= 5
    assert all(rep.teams.exists() for rep in reps)
    assert Team.objects.count() == 4
    assert ExchangeRate.objects.values("currency").distinct().count() >= 4


def test_every_stage_kind_status_and_activity_kind_is_present(demo: DemoResult) -> None:
    used = set(Opportunity.objects.values_list("stage_id", flat=True))
    assert used == set(Stage.objects.values_list("id", flat=True))
    assert Stage.objects.values("pipeline").distinct().count() >= 2
    assert {s.kind for s in Stage.objects.all()} == set(StageKind.values)
    assert set(Lead.objects.values_list("status", flat=True)) == set(LeadStatus.values)
    disqualified = Lead.objects.filter(status=LeadStatus.DISQUALIFIED)
    assert not disqualified.filter(disqualified_reason="").exists()
    assert (
        not Lead.objects.exclude(status=LeadStatus.DISQUALIFIED)
        .exclude(disqualified_reason="")
        .exists()
    )
    assert set(Activity.objects.values_list("kind", flat=True)) == set(ActivityKind.values)


def test_same_seed_same_data(db: None) -> None:
    # Given a first load, fingerprinted and rolled back
    try:
        with transaction.atomic():
            demo_load(contacts=CONTACTS, seed=11, as_of=AS_OF)
            first = _fingerprint()
            raise Rollback
    except Rollback:
        pass
    assert not Contact.objects.exists()
    # When loading again with the same seed, then with another
    try:
        with transaction.atomic():
            demo_load(contacts=CONTACTS, seed=11, as_of=AS_OF)
            second = _fingerprint()
            raise Rollback
    except Rollback:
        pass
    demo_load(contacts=CONTACTS, seed=12, as_of=AS_OF)
    # Then the same seed gives the same data, another seed different data
    assert first == second
    assert _fingerprint() != first


def test_chinese_names_are_family_first_without_space(demo: DemoResult) -> None:
    chinese = Contact.objects.filter(country="CN")
    assert chinese.count() > 20
    for contact in chinese:
        assert has_cjk(contact.family_name) and has_cjk(contact.given_name)
        assert contact.display_name == f"{contact.family_name}{contact.given_name}"
        assert contact.preferred_language == "zh-hans"
    western = Contact.objects.filter(country="US").first()
    assert western is not None
    assert western.display_name == f"{western.given_name} {western.family_name}"


def test_phone_numbers_are_valid_e164(demo: DemoResult) -> None:
    numbers = list(ContactPhone.objects.values_list("number", "e164"))
    numbers += list(Account.objects.values_list("phone", "phone_e164"))
    numbers += list(Lead.objects.values_list("phone", "phone_e164"))
    for number, e164 in numbers:
        parsed = phonenumbers.parse(e164, None)
        assert phonenumbers.is_valid_number(parsed), e164
        assert phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == e164
        assert phone_e164(number) == e164  # what the services derive from the typed number
    regions = {
        phonenumbers.region_code_for_number(phonenumbers.parse(e, None)) for _n, e in numbers
    }
    assert {"US", "CN", "GB"} <= regions


def test_denormalised_fields_match_the_child_rows(demo: DemoResult) -> None:
    for contact in Contact.objects.prefetch_related("emails", "phones", "memberships"):
        emails = [e for e in contact.emails.all() if e.is_primary]
        phones = [p for p in contact.phones.all() if p.is_primary]
        members = [m for m in contact.memberships.all() if m.is_primary]
        assert len(emails) == 1 and emails[0].email == contact.primary_email
        assert len(phones) == 1 and phones[0].e164 == contact.primary_phone
        assert len(members) <= 1
        assert (members[0].account_id if members else None) == contact.primary_account_id
    for account in Account.objects.all():
        assert account.website == f"https://www.{account.domain}"


def test_opportunities_are_consistent(demo: DemoResult) -> None:
    stages = {s.pk: s for s in Stage.objects.all()}
    history: dict[int, list[StageHistory]] = {}
    for row in StageHistory.objects.order_by("entered_at", "id"):
        history.setdefault(row.opportunity_id, []).append(row)
    for opp in Opportunity.objects.all():
        stage = stages[opp.stage_id]
        assert stage.pipeline_id == opp.pipeline_id
        assert opp.probability == stage.probability
        assert (opp.closed_at is None) == (stage.kind == StageKind.OPEN)
        rows = history[opp.pk]
        assert rows[-1].stage_id == opp.stage_id and rows[-1].left_at is None
        assert all(r.left_at is not None for r in rows[:-1])
        assert all(stages[r.stage_id].pipeline_id == opp.pipeline_id for r in rows)
        assert opp.primary_contact is not None
        assert AccountMembership.objects.filter(
            contact=opp.primary_contact, account=opp.account
        ).exists()
    assert len({o.currency_id for o in Opportunity.objects.all()}) >= 3


def test_sample_of_records_passes_model_validation(demo: DemoResult) -> None:
    rng = random.Random(0)
    for model in (
        Account,
        Contact,
        Opportunity,
        Lead,
        Activity,
        ContactEmail,
        ContactPhone,
        AccountMembership,
    ):
        rows = list(model.objects.all())
        for record in rng.sample(rows, min(40, len(rows))):
            record.full_clean()


def test_foreign_keys_and_search_index(demo: DemoResult) -> None:
    connection.check_constraints()
    assert ChangeLogEntry.objects.count() == 1
    assert demo.counts["search index entries"] >= CONTACTS


def test_if_empty_leaves_a_filled_database_alone(demo: DemoResult) -> None:
    out = io.StringIO()
    call_command("demo", contacts=100, if_empty=True, stdout=out)
    assert "already has contacts" in out.getvalue()
    assert Contact.objects.count() == CONTACTS


@pytest.mark.parametrize("contacts", [20])
def test_command_prints_how_to_log_in(db: None, contacts: int) -> None:
    out = io.StringIO()
    call_command("demo", contacts=contacts, seed=3, if_empty=True, stdout=out)
    text = out.getvalue()
    assert "Sign in at http://127.0.0.1:8000/ " in text and "/api/docs/" in text
    assert "'admin'" in text and "Done in" in text
    assert Contact.objects.count() == contacts


def test_won_deals_become_orders(demo: DemoResult) -> None:
    won = {o.pk: o for o in Opportunity.objects.filter(stage__kind=StageKind.WON)}
    orders = list(Order.objects.prefetch_related("lines"))
    # Then every won deal has exactly one order, dated the day it was won, for its amount
    assert sorted(o.opportunity_id for o in orders) == sorted(won)
    assert demo.counts["orders_order"] == len(won)
    for order in orders:
        deal = won[order.opportunity_id]
        assert order.account_id == deal.account_id and order.owner_id == deal.owner_id
        assert order.currency_id == deal.currency_id
        assert order.total == order.subtotal == deal.amount
        assert deal.closed_at is not None and order.order_date == deal.closed_at.date()
        assert order.status in (OrderStatus.CONFIRMED, OrderStatus.FULFILLED)
        assert (order.fulfilled_on is not None) == (order.status == OrderStatus.FULFILLED)
        assert [line.total_amount for line in order.lines.all()] == [order.total]
    for order in random.Random(0).sample(orders, min(20, len(orders))):
        order.full_clean()


def test_the_forecast_rollup_is_built(demo: DemoResult) -> None:
    # Then the pipeline forecast has its figures without waiting for the nightly rebuild
    rows = ForecastRollup.objects.count()
    assert rows > 0
    assert demo.counts["forecast rollup rows"] == rows
    rebuilt = rollup_rebuild()
    assert rebuilt == rows
