"""factory_boy factories for every record type (tests and benchmarks only)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from rapport.accounts.models import Account
from rapport.activities.models import Activity
from rapport.contacts.models import AccountMembership, Contact, ContactEmail, ContactPhone
from rapport.core.models import CustomFieldDefinition, Tag
from rapport.currencies.models import Currency, ExchangeRate
from rapport.identity.models import Team, User
from rapport.leads.models import Lead
from rapport.opportunities.models import Opportunity, Pipeline, Stage


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("pw")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"tag{n}")


class RecordFactory(factory.django.DjangoModelFactory):
    owner = factory.SubFactory(UserFactory)
    created_by = factory.SelfAttribute("owner")
    updated_by = factory.SelfAttribute("owner")

    class Meta:
        abstract = True


class AccountFactory(RecordFactory):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"Company {n}")
    website = factory.LazyAttribute(lambda a: f"https://www.{a.name.replace(' ', '').lower()}.com")
    domain = factory.LazyAttribute(lambda a: f"{a.name.replace(' ', '').lower()}.com")
    industry = "software"
    billing_country = "US"


class ContactFactory(RecordFactory):
    class Meta:
        model = Contact

    given_name = factory.Sequence(lambda n: f"Given{n}")
    family_name = factory.Sequence(lambda n: f"Family{n}")
    display_name = factory.LazyAttribute(lambda c: f"{c.given_name} {c.family_name}")


class ContactEmailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactEmail

    contact = factory.SubFactory(ContactFactory)
    email = factory.Sequence(lambda n: f"person{n}@example.com")
    is_primary = True


class ContactPhoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactPhone

    contact = factory.SubFactory(ContactFactory)
    number = factory.Sequence(lambda n: f"+1 202 555 {n % 10000:04d}")
    e164 = factory.Sequence(lambda n: f"+1202555{n % 10000:04d}")
    is_primary = True


class AccountMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccountMembership

    contact = factory.SubFactory(ContactFactory)
    account = factory.SubFactory(AccountFactory)
    is_primary = True


class LeadFactory(RecordFactory):
    class Meta:
        model = Lead

    given_name = factory.Sequence(lambda n: f"Lead{n}")
    family_name = "Prospect"
    display_name = factory.LazyAttribute(lambda c: f"{c.given_name} {c.family_name}")
    company = factory.Sequence(lambda n: f"Prospect Co {n}")
    email = factory.Sequence(lambda n: f"lead{n}@prospect.example")


class PipelineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pipeline

    name = factory.Sequence(lambda n: f"Pipeline {n}")


class StageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stage

    pipeline = factory.SubFactory(PipelineFactory)
    name = factory.Sequence(lambda n: f"Stage {n}")
    probability = 20


def currency(code: str = "USD") -> Currency:
    """A seeded currency (the migration creates the common ones)."""
    return Currency.objects.get_or_create(code=code, defaults={"name": code})[0]


class OpportunityFactory(RecordFactory):
    class Meta:
        model = Opportunity

    name = factory.Sequence(lambda n: f"Deal {n}")
    account = factory.SubFactory(AccountFactory, owner=factory.SelfAttribute("..owner"))
    stage = factory.SubFactory(StageFactory)
    pipeline = factory.SelfAttribute("stage.pipeline")
    amount = Decimal("1000.00")
    currency = factory.LazyFunction(currency)
    probability = 20
    expected_close_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(30))


class ActivityFactory(RecordFactory):
    class Meta:
        model = Activity

    kind = "task"
    subject = factory.Sequence(lambda n: f"Follow up {n}")


class ExchangeRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExchangeRate

    currency = factory.LazyFunction(lambda: currency("EUR"))
    date = factory.LazyFunction(timezone.localdate)
    rate = Decimal("1.1")


class CustomFieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomFieldDefinition

    record_type = "contacts"
    name = factory.Sequence(lambda n: f"field{n}")
    label = factory.LazyAttribute(lambda f: f.name.title())
    field_type = "text"
