"""Lead conversion: into a new or an existing account, a contact and optionally an
opportunity, in one transaction; history moves along; twice is refused; nothing half-written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from conftest import client_for
from rapport.accounts.models import Account
from rapport.activities.models import Activity
from rapport.contacts.models import Contact
from rapport.core.models import ChangeLogEntry
from rapport.framework.actor import Actor
from rapport.framework.exceptions import RecordNotFound, RecordPermissionDenied
from rapport.framework.testing.factories import (
    AccountFactory,
    LeadFactory,
    PipelineFactory,
    StageFactory,
)
from rapport.leads.choices import LeadStatus
from rapport.leads.conversion import OpportunityInput, lead_convert
from rapport.leads.models import Lead
from rapport.opportunities.choices import StageKind
from rapport.opportunities.models import Opportunity, Pipeline
from rapport.privacy.models import Consent

pytestmark = pytest.mark.django_db


@pytest.fixture
def pipeline() -> Pipeline:
    """The default pipeline: a won stage listed first, then two open stages."""
    Pipeline.objects.update(is_default=False)
    pipe = PipelineFactory(name="New business", is_default=True, position=0)
    StageFactory(pipeline=pipe, name="Won", position=0, kind=StageKind.WON, probability=100)
    StageFactory(pipeline=pipe, name="Discovery", position=1, probability=10)
    StageFactory(pipeline=pipe, name="Proposal", position=2, probability=50)
    return pipe


@pytest.fixture
def lead(personas: Any) -> Lead:
    """Owner's lead with a call, a note and a marketing consent."""
    found = LeadFactory(
        owner=personas.owner,
        team=personas.team,
        given_name="Grace",
        family_name="Hopper",
        display_name="Grace Hopper",
        email="grace@cobol.example",
        phone="+1 212 555 0100",
        company="Cobol Systems",
        website="https://www.cobol.example",
        industry="software",
        employee_count=40,
        city="Arlington",
        region="Virginia",
        country="US",
        source="web",
        job_title="Rear admiral",
    )
    lead_type = ContentType.objects.get_for_model(Lead)
    for kind, subject in (("call", "Intro call"), ("note", "Met at the fair")):
        Activity.objects.create(
            owner=personas.owner,
            kind=kind,
            subject=subject,
            related_type=lead_type,
            related_id=found.pk,
        )
    Consent.objects.create(lead=found, purpose="marketing_email", granted=True, source="web_form")
    return found  # type: ignore[no-any-return]


def _state() -> tuple[int, int, int, int, list[Any]]:
    """What a refused conversion must leave as it was."""
    return (
        Account.objects.count(),
        Contact.objects.count(),
        Opportunity.objects.count(),
        ChangeLogEntry.objects.count(),
        list(
            Lead.objects.order_by("pk").values_list(
                "status", "converted_at", "converted_contact_id", "responded_at"
            )
        )
        + list(Activity.objects.order_by("pk").values_list("related_type_id", "related_id"))
        + list(Consent.objects.order_by("pk").values_list("lead_id", "contact_id")),
    )


def test_conversion_into_a_new_account_with_everything_moved(personas: Any, lead: Lead) -> None:
    # when owner converts the lead without an opportunity
    result = lead_convert(actor=Actor(user=personas.owner), lead=lead)
    # then a new account was made from the lead's company
    account = result.account
    assert result.account_created is True
    assert (account.name, account.website, account.industry, account.employee_count) == (
        "Cobol Systems",
        "https://www.cobol.example",
        "software",
        40,
    )
    assert (account.billing_city, account.billing_country.code, account.team) == (
        "Arlington",
        "US",
        personas.team,
    )
    # and a contact, member of it, with the lead's email and phone
    contact = Contact.objects.get(pk=result.contact.pk)
    assert (contact.display_name, contact.job_title, contact.primary_account) == (
        "Grace Hopper",
        "Rear admiral",
        account,
    )
    assert list(contact.emails.values_list("email", "is_primary")) == [
        ("grace@cobol.example", True)
    ]
    assert list(contact.phones.values_list("number", flat=True)) == ["+1 212 555 0100"]
    assert result.opportunity is None
    # and the lead's activities and consent now belong to the contact
    contact_type = ContentType.objects.get_for_model(Contact)
    assert sorted(Activity.objects.values_list("subject", "related_type_id", "related_id")) == [
        ("Intro call", contact_type.pk, contact.pk),
        ("Met at the fair", contact_type.pk, contact.pk),
    ]
    assert list(Consent.objects.values_list("lead_id", "contact_id")) == [(None, contact.pk)]
    assert (result.activities_moved, result.consents_moved) == (2, 1)
    # and the lead is qualified and links to what it became
    lead.refresh_from_db()
    assert lead.status == LeadStatus.QUALIFIED
    assert lead.converted_at is not None
    assert (lead.converted_account, lead.converted_contact, lead.converted_opportunity) == (
        account,
        contact,
        None,
    )
    # and each record has its change-log entry
    logged = {
        (e.content_type.model, e.object_id, e.action)
        for e in ChangeLogEntry.objects.select_related("content_type")
    }
    activity_ids = sorted(Activity.objects.values_list("pk", flat=True))
    assert logged == {
        ("account", str(account.pk), "create"),
        ("contact", str(contact.pk), "create"),
        ("lead", str(lead.pk), "update"),
        *(("activity", str(pk), "update") for pk in activity_ids),
    }
    moved = ChangeLogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Activity), object_id=str(activity_ids[0])
    )
    before = {"related_type": ContentType.objects.get_for_model(Lead).pk, "related_id": lead.pk}
    after = {"related_type": contact_type.pk, "related_id": contact.pk}
    if lead.pk == contact.pk:  # the log keeps only what changed
        del before["related_id"], after["related_id"]
    assert (moved.before, moved.after) == (before, after)


def test_conversion_with_an_opportunity_in_the_first_open_stage(
    personas: Any, lead: Lead, pipeline: Pipeline
) -> None:
    # when owner converts with an opportunity
    result = lead_convert(
        actor=Actor(user=personas.owner),
        lead=lead,
        create_opportunity=True,
        opportunity=OpportunityInput(
            amount=Decimal("25000"), close_date=dt.date(2027, 3, 31), currency="EUR"
        ),
    )
    # then it is in the default pipeline's first open stage, for the new account and contact
    opp = Opportunity.objects.get()
    assert result.opportunity == opp
    assert (opp.name, opp.pipeline, opp.stage.name, opp.probability) == (
        "Cobol Systems",
        pipeline,
        "Discovery",
        10,
    )
    assert (opp.account, opp.primary_contact, opp.amount, opp.currency_id) == (
        result.account,
        result.contact,
        Decimal("25000.00"),
        "EUR",
    )
    assert (opp.expected_close_date, opp.source) == (dt.date(2027, 3, 31), "web")
    lead.refresh_from_db()
    assert lead.converted_opportunity == opp


def test_conversion_into_an_existing_account_from_the_candidates(
    personas: Any, lead: Lead, pipeline: Pipeline
) -> None:
    # given an account of the same company and one that does not match
    existing = AccountFactory(owner=personas.owner, name="COBOL Systems", phone="", website="")
    AccountFactory(owner=personas.owner, name="Fortran Inc")
    client = client_for(personas.owner)
    # when owner asks for the candidates
    candidates = client.get(f"/api/leads/{lead.pk}/convert/")
    # then the matching account is offered, with the reason
    assert candidates.status_code == 200
    assert candidates.json() == [
        {"id": existing.pk, "name": "COBOL Systems", "website": "", "reasons": "same name"}
    ]
    # when they convert into it with an opportunity named by them
    response = client.post(
        f"/api/leads/{lead.pk}/convert/",
        {"account": existing.pk, "create_opportunity": True, "opportunity_name": "Compilers"},
        format="json",
    )
    # then no account is made; the contact joins the existing one
    assert response.status_code == 201, response.content
    body = response.json()
    contact = Contact.objects.get()
    opp = Opportunity.objects.get()
    assert body == {
        "lead": lead.pk,
        "account": existing.pk,
        "account_created": False,
        "contact": contact.pk,
        "opportunity": opp.pk,
        "activities_moved": 2,
        "consents_moved": 1,
    }
    assert Account.objects.count() == 2
    assert contact.primary_account == existing
    assert (opp.name, opp.account, opp.currency_id) == ("Compilers", existing, "USD")
    # and the lead's record in the API shows the links, read-only
    shown = client.get(f"/api/leads/{lead.pk}/").json()
    assert (shown["converted_account"], shown["converted_contact"], shown["status"]) == (
        existing.pk,
        contact.pk,
        "qualified",
    )


def test_converting_twice_is_refused_and_changes_nothing(personas: Any, lead: Lead) -> None:
    # given a converted lead
    lead_convert(actor=Actor(user=personas.owner), lead=lead)
    before = _state()
    # when it is converted again through the API
    response = client_for(personas.owner).post(
        f"/api/leads/{lead.pk}/convert/", {"create_opportunity": False}, format="json"
    )
    # then it is refused with the reason, and nothing changed
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["code"] == "already_converted"
    assert "already converted" in error["message"]
    assert _state() == before
    # and the service says so too
    with pytest.raises(ValidationError) as caught:
        lead_convert(actor=Actor(user=personas.owner), lead=lead)
    assert caught.value.error_list[0].code == "already_converted"
    assert _state() == before


def test_a_lead_the_user_may_not_see_is_not_found_and_unchanged(personas: Any, lead: Lead) -> None:
    before = _state()
    # when other (another team) tries to convert owner's lead
    response = client_for(personas.other).post(f"/api/leads/{lead.pk}/convert/", {}, format="json")
    # then it is not found and nothing changed
    assert response.status_code == 404
    with pytest.raises(RecordNotFound):
        lead_convert(actor=Actor(user=personas.other), lead=lead)
    assert _state() == before


def test_a_lead_the_user_may_only_read_is_denied_and_unchanged(personas: Any, lead: Lead) -> None:
    before = _state()
    # when teammate (who may read the team's leads, not change them) tries to convert it
    response = client_for(personas.teammate).post(
        f"/api/leads/{lead.pk}/convert/", {}, format="json"
    )
    # then it is denied and nothing changed
    assert response.status_code == 403
    with pytest.raises(RecordPermissionDenied):
        lead_convert(actor=Actor(user=personas.teammate), lead=lead)
    assert _state() == before


def test_an_account_the_user_may_not_see_is_refused_naming_the_field(
    personas: Any, lead: Lead
) -> None:
    hidden = AccountFactory(owner=personas.other, name="Cobol Systems")
    before = _state()
    response = client_for(personas.owner).post(
        f"/api/leads/{lead.pk}/convert/", {"account": hidden.pk}, format="json"
    )
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("account", "does_not_exist")
    ]
    assert _state() == before


def test_a_failure_in_the_opportunity_part_leaves_nothing_half_written(
    personas: Any, lead: Lead, pipeline: Pipeline
) -> None:
    before = _state()
    # when the opportunity cannot be written (a currency that does not exist)
    response = client_for(personas.owner).post(
        f"/api/leads/{lead.pk}/convert/",
        {"create_opportunity": True, "currency": "XXZ"},
        format="json",
    )
    # then the field is named and no account, contact or change-log entry remains
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("currency", "does_not_exist")
    ]
    assert _state() == before
    # and the same for a value the opportunity's own validation refuses, after the account
    # and contact were written inside the transaction
    with pytest.raises(ValidationError) as caught:
        lead_convert(
            actor=Actor(user=personas.owner),
            lead=lead,
            create_opportunity=True,
            opportunity=OpportunityInput(amount=Decimal("-5")),
        )
    assert list(caught.value.message_dict) == ["amount"]
    assert _state() == before


def test_convert_screen_creates_and_shows_the_links(
    personas: Any, lead: Lead, pipeline: Pipeline
) -> None:
    client = Client()
    client.force_login(personas.owner)
    lead_page = reverse("ui:detail", kwargs={"key": "leads", "pk": lead.pk})
    convert_url = reverse("leads:convert", kwargs={"pk": lead.pk})
    # the lead page offers the conversion
    assert convert_url in client.get(lead_page).content.decode()
    # the conversion screen offers a new account named after the company
    page = client.get(convert_url).content.decode()
    assert "A new account: Cobol Systems" in page
    # when owner converts with an opportunity
    response = client.post(
        convert_url,
        {"account": "new", "create_opportunity": "on", "amount": "1200", "close_date": ""},
    )
    # then they see the new contact
    contact = Contact.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "ui:detail", kwargs={"key": "contacts", "pk": contact.pk}
    )
    # and the lead page links to what it became, without the convert button
    shown = client.get(lead_page).content.decode()
    account = Account.objects.get()
    opp = Opportunity.objects.get()
    for key, pk in (("accounts", account.pk), ("contacts", contact.pk), ("opportunities", opp.pk)):
        assert reverse("ui:detail", kwargs={"key": key, "pk": pk}) in shown
    assert convert_url not in shown
    assert "Lead converted" in shown
    contact_page = client.get(response["Location"]).content.decode()
    assert "Converted from the lead Grace Hopper" in contact_page
    # and converting again from the screen is refused, changing nothing
    before = _state()
    again = client.post(convert_url, {"account": "new"})
    assert again.status_code == 400
    assert "already converted" in again.content.decode()
    assert _state() == before


def test_convert_screen_shows_errors_beside_the_fields(
    personas: Any, lead: Lead, pipeline: Pipeline
) -> None:
    client = Client()
    client.force_login(personas.owner)
    before = _state()
    response = client.post(
        reverse("leads:convert", kwargs={"pk": lead.pk}),
        {"account": "new", "create_opportunity": "on", "currency": "XXZ"},
    )
    assert response.status_code == 400
    assert 'id="id_currency-err"' in response.content.decode()
    assert _state() == before


def test_convert_screen_is_denied_to_readers(personas: Any, lead: Lead) -> None:
    client = Client()
    client.force_login(personas.teammate)
    before = _state()
    url = reverse("leads:convert", kwargs={"pk": lead.pk})
    assert client.get(url).status_code == 403
    assert client.post(url, {"account": "new"}).status_code == 403
    client.force_login(personas.other)
    assert client.post(url, {"account": "new"}).status_code == 404
    assert _state() == before
