"""List pages read by the compiled page reader equal the serializers' own output."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models import prefetch_related_objects
from rest_framework.test import APIRequestFactory

from conftest import client_for
from rapport.framework.api.readers import page_reader
from rapport.framework.registry import get_record_type, record_types
from rapport.framework.testing.factories import (
    AccountFactory,
    AccountMembershipFactory,
    ActivityFactory,
    ContactEmailFactory,
    ContactFactory,
    ContactPhoneFactory,
    CustomFieldFactory,
    ExchangeRateFactory,
    LeadFactory,
    OpportunityFactory,
    TagFactory,
)
from rapport.framework.testing.specs import ConfigRecordSpec, spec_for
from rapport.opportunities.models import OpportunityContact, StageHistory
from rapport.webforms.tests.factories import webform


@pytest.fixture
def data(personas):
    owner = personas.owner
    vip, key = TagFactory(name="vip"), TagFactory(name="key")
    account = AccountFactory(
        owner=owner,
        annual_revenue=Decimal("1234.5"),
        billing_country="CN",
        custom_fields={"tier": "gold"},
    )
    account.tags.set([vip, key])
    for i in range(3):
        contact = ContactFactory(
            owner=owner, birthday=dt.date(1990, 1, i + 1), given_name="小明", family_name="王"
        )
        contact.tags.set([key])
        ContactEmailFactory(contact=contact)
        ContactEmailFactory(contact=contact, is_primary=False)
        ContactPhoneFactory(contact=contact)
        AccountMembershipFactory(contact=contact, account=account)
    opportunity = OpportunityFactory(owner=owner, account=account)
    OpportunityContact.objects.create(opportunity=opportunity, contact=contact, role="influencer")
    StageHistory.objects.create(
        opportunity=opportunity,
        stage=opportunity.stage,
        entered_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )
    activity = ActivityFactory(
        owner=owner,
        related_type=ContentType.objects.get_for_model(contact),
        related_id=contact.pk,
        due_at=dt.datetime(2026, 2, 3, 4, 5, tzinfo=dt.UTC),
    )
    activity.participant_contacts.set([contact])
    activity.participant_users.set([personas.owner, personas.teammate])
    LeadFactory(owner=owner)
    ExchangeRateFactory()
    CustomFieldFactory()
    webform(allowed_origins=["https://www.example.com"])
    # Every other record type: two records from its test spec.
    for rt in record_types():
        if not rt.model._default_manager.exists():
            spec = spec_for(rt.key)
            for _ in range(2):
                spec.build() if isinstance(spec, ConfigRecordSpec) else spec.build(owner=owner)
    return owner


@pytest.mark.parametrize("key", [rt.key for rt in record_types()])
def test_reader_output_equals_the_serializer_output(data, key):
    rt = get_record_type(key)
    request = APIRequestFactory().get("/")
    request.user = data
    records = list(rt.model._default_manager.all().order_by("pk"))
    prefetch_related_objects(records, *rt.prefetch_related)
    expected = rt.serializer(records, many=True, context={"request": request}).data
    reader = page_reader(rt.serializer)

    assert reader is not None, f"{key} falls back to the slow path"
    assert records
    expected_rows = [dict(r) for r in expected]
    assert reader.read_instances(records) == expected_rows
    assert reader.read(reader.values(rt.model._default_manager.order_by("pk"))) == expected_rows


def test_lists_include_nested_lists_only_when_expanded(personas):
    contact = ContactFactory(owner=personas.owner)
    ContactEmailFactory(contact=contact, email="a@example.com")
    client = client_for(personas.owner)

    plain = client.get("/api/contacts/").json()["results"][0]
    expanded = client.get("/api/contacts/?expand=emails,memberships").json()["results"][0]
    single = client.get(f"/api/contacts/{contact.pk}/").json()

    assert "emails" not in plain and "phones" not in plain
    assert expanded["emails"] == [{"email": "a@example.com", "label": "work", "is_primary": True}]
    assert expanded["memberships"] == [] and "phones" not in expanded
    assert {"emails", "phones", "memberships"} <= set(single)


def test_expanding_an_unknown_list_is_refused(personas):
    response = client_for(personas.owner).get("/api/contacts/?expand=emails,friends")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "expand"
