"""Record pages and record forms of the web UI: sections, related lists, timeline, quick add,
history, every kind of form field, errors beside fields, pickers, duplicate warnings."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import timezone

from conftest import Personas
from rapport.accounts.models import Account
from rapport.activities.models import Activity
from rapport.contacts.models import AccountMembership, Contact
from rapport.core.models import ChangeLogEntry, CustomFieldDefinition, Tag
from rapport.framework.actor import Actor
from rapport.framework.choices import Channel
from rapport.framework.registry import get_record_type
from rapport.framework.services import record_create, record_update
from rapport.framework.testing.factories import (
    AccountFactory,
    ActivityFactory,
    ContactFactory,
    CustomFieldFactory,
    LeadFactory,
    OpportunityFactory,
)
from rapport.framework.ui.columns import available_columns
from rapport.framework.ui.related import related_paths
from rapport.framework.ui.sections import generic_sections, record_sections
from rapport.leads.models import Lead


def signed_in(user_name: str) -> Client:
    client = Client()
    assert client.post("/login/", {"username": user_name, "password": "pw"}).status_code == 302
    return client


def create(key: str, user: Any, **data: Any) -> Any:
    children = {c.name: data.pop(c.name) for c in get_record_type(key).children if c.name in data}
    return record_create(
        actor=Actor(user=user, channel=Channel.UI),
        record_type=get_record_type(key),
        data=data,
        children=children,
    )


def section_html(body: str, key: str) -> str:
    match = re.search(
        rf'<section class="record-section" id="section-{key}".*?</section>', body, re.S
    )
    assert match, f"no section {key}"
    return match.group(0)


def related_html(body: str, label: str) -> str:
    for block in re.findall(r'<details class="related-list".*?</details>', body, re.S):
        summary = re.search(r"<summary>(.*?) <span", block, re.S)
        if summary and summary.group(1).strip() == label:
            return str(block)
    raise AssertionError(f"no related list {label!r}")


# --- record page: header and sections ---------------------------------------------------


@pytest.mark.django_db
def test_the_record_page_groups_fields_into_sections(personas: Personas) -> None:
    # given
    CustomFieldFactory(record_type="accounts", name="tier", label="Tier", field_type="text")
    account = create(
        "accounts",
        personas.owner,
        name="Acme",
        industry="software",
        billing_street="1 Main St",
        billing_city="Springfield",
        billing_country="US",
        description="Makes anvils.",
        custom_fields={"tier": "Gold"},
    )
    # when
    body = signed_in("owner").get(f"/accounts/{account.pk}/").content.decode()
    # then
    assert "<h1>Acme</h1>" in body
    keys = re.search(r'<ul class="record-keys">(.*?)</ul>', body, re.S)
    assert keys and "Software" in keys.group(1) and "Prospect" in keys.group(1)
    main = section_html(body, "main")
    assert "<dt>Industry</dt><dd>Software</dd>" in main
    assert "Springfield" not in main
    billing = section_html(body, "address-billing")
    assert "Billing address" in billing
    assert "<dt>Billing city</dt><dd>Springfield</dd>" in billing
    assert "<dt>Billing country</dt><dd>United States of America</dd>" in billing
    assert "<dt>Description</dt><dd>Makes anvils.</dd>" in section_html(body, "description")
    system = section_html(body, "system")
    assert "<dt>Owner</dt><dd>owner</dd>" in system
    assert "<dt>Tier</dt><dd>Gold</dd>" in section_html(body, "custom")


def test_generic_sections_keep_a_lone_city_among_the_main_fields() -> None:
    layout = generic_sections(["name", "city", "owner", "street", "description"])
    assert [(key, names) for key, _title, names in layout] == [
        ("main", ["name"]),
        ("address-main", ["city", "street"]),
        ("description", ["description"]),
        ("system", ["owner"]),
    ]
    alone = generic_sections(["name", "city", "owner"])
    assert [(key, names) for key, _title, names in alone] == [
        ("main", ["name", "city"]),
        ("description", []),
        ("system", ["owner"]),
    ]


@pytest.mark.django_db
def test_a_contacts_emails_phones_and_accounts_are_shown_as_rows(personas: Personas) -> None:
    # given
    account = create("accounts", personas.owner, name="Acme")
    hidden = AccountFactory(name="Hidden Co", owner=personas.other)
    contact = create(
        "contacts",
        personas.owner,
        family_name="Hopper",
        emails=[{"email": "grace@acme.test", "is_primary": True}],
        memberships=[{"account": account, "buying_role": "decision_maker", "is_primary": True}],
    )
    AccountMembership.objects.create(contact=contact, account=hidden)
    # when
    body = signed_in("owner").get(f"/contacts/{contact.pk}/").content.decode()
    # then
    assert "<li>grace@acme.test · Work · primary</li>" in section_html(body, "emails")
    memberships = section_html(body, "memberships")
    assert "<li>Acme · Decision maker · primary</li>" in memberships
    assert "Hidden Co" not in body


# --- related lists ------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_accounts_related_lists_show_only_what_the_user_may_see(personas: Personas) -> None:
    # given an account of owner's with two contacts (one of them someone else's), a deal, an
    # activity and a child account
    account = AccountFactory(name="Acme", owner=personas.owner)
    mine = ContactFactory(given_name="Ada", family_name="Lovelace", owner=personas.owner)
    mine.display_name = "Ada Lovelace"
    mine.save()
    theirs = ContactFactory(given_name="Eve", family_name="Hidden", owner=personas.other)
    AccountMembership.objects.create(contact=mine, account=account)
    AccountMembership.objects.create(contact=theirs, account=account)
    OpportunityFactory(name="Big deal", account=account, owner=personas.owner)
    OpportunityFactory(name="Secret deal", account=account, owner=personas.other)
    ActivityFactory(
        subject="Call Acme",
        owner=personas.owner,
        related_type=ContentType.objects.get_for_model(Account),
        related_id=account.pk,
    )
    AccountFactory(name="Acme Europe", owner=personas.owner, parent=account)
    # when
    body = signed_in("owner").get(f"/accounts/{account.pk}/").content.decode()
    # then
    contacts = related_html(body, "Contacts")
    assert '<span class="count">1</span>' in contacts
    assert f'href="/contacts/{mine.pk}/">Ada Lovelace</a>' in contacts
    assert f'href="/contacts/?account={account.pk}"' in contacts
    assert "Eve Hidden" not in body
    deals = related_html(body, "Opportunities")
    assert '<span class="count">1</span>' in deals and "Big deal" in deals
    assert f'href="/opportunities/?account={account.pk}"' in deals
    assert "Secret deal" not in body
    activities = related_html(body, "Activities")
    assert "Call Acme" in activities
    assert f'href="/activities/?related_to=accounts%3A{account.pk}"' in activities
    assert "Acme Europe" in related_html(body, "Accounts (parent account)")


@pytest.mark.django_db
def test_a_contacts_related_lists_show_its_accounts_and_opportunities(
    personas: Personas,
) -> None:
    # given
    account = AccountFactory(name="Acme", owner=personas.owner)
    contact = ContactFactory(owner=personas.owner)
    AccountMembership.objects.create(contact=contact, account=account)
    deal = OpportunityFactory(name="Big deal", account=account, owner=personas.owner)
    deal.contact_roles.create(contact=contact, role="decision_maker")
    # when
    body = signed_in("owner").get(f"/contacts/{contact.pk}/").content.decode()
    # then
    accounts = related_html(body, "Accounts")
    assert f'href="/accounts/{account.pk}/">Acme</a>' in accounts
    deals = related_html(body, "Opportunities")
    assert f'href="/opportunities/{deal.pk}/">Big deal</a>' in deals
    assert f'href="/opportunities/?contact={contact.pk}"' in deals
    # and a contact is not related to itself through its own emails, phones or memberships
    labels = [p.label for p in related_paths(get_record_type("contacts"), contact)]
    assert not any(label.startswith("Contacts") for label in labels), labels
    assert len(labels) == len(set(labels)), labels


@pytest.mark.django_db
def test_a_related_list_counts_all_and_shows_the_first_ten(personas: Personas) -> None:
    # given
    account = AccountFactory(name="Acme", owner=personas.owner)
    OpportunityFactory.create_batch(12, account=account, owner=personas.owner)
    # when
    body = signed_in("owner").get(f"/accounts/{account.pk}/").content.decode()
    # then
    deals = related_html(body, "Opportunities")
    assert '<span class="count">12</span>' in deals
    assert len(re.findall(r'href="/opportunities/\d+/"', deals)) == 10


# --- timeline, quick add, history ---------------------------------------------------------


@pytest.mark.django_db
def test_the_timeline_shows_changes_with_user_names_and_activities(personas: Personas) -> None:
    # given
    personas.owner.first_name, personas.owner.last_name = "Olive", "Owner"
    personas.owner.save()
    account = create("accounts", personas.owner, name="Acme", industry="software")
    record_update(
        actor=Actor(user=personas.owner, channel=Channel.UI),
        record_type=get_record_type("accounts"),
        record=account,
        data={"industry": "finance", "employee_count": 20},
    )
    ActivityFactory(
        subject="Kick-off",
        kind="meeting",
        body="Agenda",
        owner=personas.owner,
        related_type=ContentType.objects.get_for_model(Account),
        related_id=account.pk,
    )
    # when
    body = signed_in("owner").get(f"/accounts/{account.pk}/").content.decode()
    # then
    timeline = re.search(r'<ol id="timeline".*?</ol>', body, re.S)
    assert timeline
    text = timeline.group(0)
    assert "<strong>Olive Owner</strong> · Employees, Industry" in text
    assert (
        '<span class="change-field">Industry:</span> <del>Software</del> → <ins>Finance</ins>'
        in text
    )
    assert '<span class="change-field">Employees:</span> <del>—</del> → <ins>20</ins>' in text
    assert "<strong>Olive Owner</strong> · Created" in text
    assert '<span class="activity-kind">Meeting</span>' in text
    assert ">Kick-off</a>" in text and "Agenda" in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "when_field"),
    [("note", None), ("task", "due_at"), ("call", "start_at"), ("meeting", "start_at")],
)
def test_quick_add_links_an_activity_and_refreshes_the_timeline(
    personas: Personas, kind: str, when_field: str | None
) -> None:
    # given
    contact = ContactFactory(owner=personas.owner)
    client = signed_in("owner")
    # when
    response = client.post(
        f"/contacts/{contact.pk}/quick-add/",
        {"kind": kind, "subject": f"My {kind}", "body": "Details", "when": "2026-12-01T09:30"},
        headers={"HX-Request": "true"},
    )
    # then
    assert response.status_code == 200
    activity = Activity.objects.get()
    assert activity.kind == kind
    assert activity.subject == f"My {kind}"
    assert activity.related_type == ContentType.objects.get_for_model(Contact)
    assert activity.related_id == contact.pk
    assert activity.owner == personas.owner
    expected = timezone.make_aware(dt.datetime(2026, 12, 1, 9, 30))
    assert activity.due_at == (expected if when_field == "due_at" else None)
    assert activity.start_at == (expected if when_field == "start_at" else None)
    body = response.content.decode()
    assert body.startswith('<ol id="timeline"')
    assert f">My {kind}</a>" in body
    assert 'id="quick-add"' in body and 'hx-swap-oob="true"' in body
    assert ChangeLogEntry.objects.filter(object_id=str(activity.pk)).get().channel == Channel.UI


@pytest.mark.django_db
def test_quick_add_without_a_subject_shows_the_error_and_adds_nothing(
    personas: Personas,
) -> None:
    contact = ContactFactory(owner=personas.owner)
    response = signed_in("owner").post(
        f"/contacts/{contact.pk}/quick-add/",
        {"kind": "task", "subject": ""},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#quick-add"
    body = response.content.decode()
    assert 'id="quick-subject-err"' in body
    assert "This field may not be blank." in body
    assert Activity.objects.count() == 0


@pytest.mark.django_db
def test_quick_add_on_a_record_the_user_may_not_see_is_not_found(personas: Personas) -> None:
    contact = ContactFactory(owner=personas.other)
    response = signed_in("owner").post(
        f"/contacts/{contact.pk}/quick-add/", {"kind": "note", "subject": "Sneaky"}
    )
    assert response.status_code == 404
    assert Activity.objects.count() == 0


@pytest.mark.django_db
def test_quick_add_without_htmx_redirects_back_to_the_record(personas: Personas) -> None:
    contact = ContactFactory(owner=personas.owner)
    response = signed_in("owner").post(
        f"/contacts/{contact.pk}/quick-add/", {"kind": "note", "subject": "Plain"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/contacts/{contact.pk}/"
    assert Activity.objects.get().subject == "Plain"


@pytest.mark.django_db
def test_the_history_lists_who_when_channel_and_each_field(personas: Personas) -> None:
    # given
    account = create("accounts", personas.owner, name="Acme", team=personas.team)
    record_update(
        actor=Actor(user=personas.admin, channel=Channel.API),
        record_type=get_record_type("accounts"),
        record=account,
        data={"name": "Acme Corp", "owner": personas.teammate},
    )
    # when
    body = signed_in("owner").get(f"/accounts/{account.pk}/").content.decode()
    # then
    history = re.search(r'<section class="record-history".*?</section>', body, re.S)
    assert history
    entries = re.findall(r'<li class="history-entry">.*?</li>', history.group(0), re.S)
    assert len(entries) == 2
    assert "<strong>admin</strong> · REST API · Name, Owner" in entries[0]
    assert (
        '<tr><th scope="row">Name</th><td data-label="Before">Acme</td>'
        '<td data-label="After">Acme Corp</td></tr>'
    ) in entries[0]
    assert (
        '<tr><th scope="row">Owner</th><td data-label="Before">owner</td>'
        '<td data-label="After">teammate</td></tr>'
    ) in entries[0]
    assert "<strong>owner</strong> · Web UI · Created" in entries[1]


@pytest.mark.django_db
def test_the_record_page_with_200_timeline_entries_has_a_query_budget(
    personas: Personas, django_assert_max_num_queries: Any
) -> None:
    # given an account changed 150 times by several users, with 60 activities
    account = create("accounts", personas.owner, name="Acme")
    owners = [personas.teammate, personas.owner]
    for i in range(150):
        record_update(
            actor=Actor(user=[personas.admin, personas.manager][i % 2], channel=Channel.UI),
            record_type=get_record_type("accounts"),
            record=account,
            data={"employee_count": i + 1, "owner": owners[i % 2]},
        )
    ct = ContentType.objects.get_for_model(Account)
    for i in range(60):
        ActivityFactory(subject=f"Call {i}", owner=personas.owner, related_type=ct, related_id=i)
        ActivityFactory(
            subject=f"Meeting {i}", owner=personas.owner, related_type=ct, related_id=account.pk
        )
    client = signed_in("owner")
    client.get(f"/accounts/{account.pk}/")  # warm caches (content types, sessions)
    # when
    # 38 for the page (each related list: its rows and its custom fields; quotes and orders
    # added 4), 2 to remember it among the user's recently viewed records
    with django_assert_max_num_queries(40):
        response = client.get(f"/accounts/{account.pk}/")
    # then
    assert response.status_code == 200
    body = response.content.decode()
    assert len(re.findall(r'<li class="timeline-item', body)) == 200
    assert len(re.findall(r'<li class="history-entry">', body)) == 151


# --- forms ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_kind_of_field_is_rendered_in_the_form(personas: Personas) -> None:
    # given
    Tag.objects.create(name="vip")
    for field_type in (
        "text",
        "long_text",
        "integer",
        "decimal",
        "money",
        "date",
        "datetime",
        "boolean",
        "url",
        "email",
        "phone",
    ):
        CustomFieldFactory(record_type="accounts", name=f"cf_{field_type}", field_type=field_type)
    CustomFieldFactory(
        record_type="accounts", name="cf_choice", field_type="choice", choices=["a", "b"]
    )
    CustomFieldFactory(
        record_type="accounts", name="cf_multi", field_type="multiple_choice", choices=["x", "y"]
    )
    CustomFieldFactory(
        record_type="accounts", name="cf_ref", field_type="reference", reference_type="contacts"
    )
    # when
    body = signed_in("owner").get("/accounts/new/").content.decode()
    # then
    assert '<input id="f-name" name="name" value=""' in body
    assert 'name="description" rows="3"' in body  # long text
    assert '<select id="f-industry" name="industry">' in body  # choice
    assert 'id="f-employee_count" name="employee_count" value=""\n         type="text"' in body
    assert 'inputmode="decimal"' in body
    assert '<select id="f-tags" name="tags" multiple class="multi-select">' in body
    assert '<option value="vip">vip</option>' in body
    assert 'hx-get="/pick/accounts/"' in body  # parent account picker
    assert 'type="url"' in body and 'type="email"' in body and 'type="tel"' in body
    assert 'id="f-cf-cf_date" name="cf.cf_date" value=""\n         type="date"' in body
    assert 'name="cf.cf_datetime" value=""\n         type="datetime-local"' in body
    assert 'role="switch" id="f-cf-cf_boolean" name="cf.cf_boolean"' in body
    assert '<select id="f-cf-cf_choice" name="cf.cf_choice">' in body
    assert '<select id="f-cf-cf_multi" name="cf.cf_multi" multiple>' in body
    assert 'hx-get="/pick/contacts/"' in body


@pytest.mark.django_db
def test_custom_fields_of_every_type_are_saved_from_the_form(personas: Personas) -> None:
    # given
    for field_type in ("text", "long_text", "integer", "decimal", "money", "date", "datetime"):
        CustomFieldFactory(record_type="accounts", name=f"cf_{field_type}", field_type=field_type)
    for field_type in ("boolean", "url", "email", "phone"):
        CustomFieldFactory(record_type="accounts", name=f"cf_{field_type}", field_type=field_type)
    CustomFieldFactory(
        record_type="accounts", name="cf_choice", field_type="choice", choices=["a", "b"]
    )
    CustomFieldFactory(
        record_type="accounts", name="cf_multi", field_type="multiple_choice", choices=["x", "y"]
    )
    CustomFieldFactory(
        record_type="accounts", name="cf_ref", field_type="reference", reference_type="contacts"
    )
    contact = ContactFactory(owner=personas.owner)
    Tag.objects.create(name="vip")
    Tag.objects.create(name="partner")
    # when
    response = signed_in("owner").post(
        "/accounts/new/",
        {
            "name": "Acme",
            "employee_count": "42",
            "tags": ["vip", "partner"],
            "cf.cf_text": "short",
            "cf.cf_long_text": "long\ntext",
            "cf.cf_integer": "7",
            "cf.cf_decimal": "1.5",
            "cf.cf_money": "99.90",
            "cf.cf_date": "2026-11-30",
            "cf.cf_datetime": "2026-11-30T10:15",
            "cf.cf_boolean": "on",
            "cf.cf_url": "https://acme.test",
            "cf.cf_email": "info@acme.test",
            "cf.cf_phone": "+1 650 253 0000",
            "cf.cf_choice": "b",
            "cf.cf_multi": ["y", "x"],
            "cf.cf_ref": str(contact.pk),
        },
    )
    # then
    account = Account.objects.get()
    assert response.status_code == 302
    assert account.employee_count == 42
    assert sorted(t.name for t in account.tags.all()) == ["partner", "vip"]
    when = timezone.make_aware(dt.datetime(2026, 11, 30, 10, 15)).astimezone(dt.UTC)
    assert account.custom_fields == {
        "cf_text": "short",
        "cf_long_text": "long\ntext",
        "cf_integer": 7,
        "cf_decimal": "1.5",
        "cf_money": "99.90",
        "cf_date": "2026-11-30",
        "cf_datetime": when.isoformat(),
        "cf_boolean": True,
        "cf_url": "https://acme.test",
        "cf_email": "info@acme.test",
        "cf_phone": "+16502530000",
        "cf_choice": "b",
        "cf_multi": ["x", "y"],
        "cf_ref": contact.pk,
    }


@pytest.mark.django_db
def test_bad_custom_field_values_are_shown_beside_their_fields(personas: Personas) -> None:
    # given
    CustomFieldFactory(record_type="accounts", name="size", label="Size", field_type="integer")
    CustomFieldFactory(record_type="accounts", name="since", label="Since", field_type="date")
    CustomFieldFactory(
        record_type="accounts", name="code", label="Code", field_type="text", required=True
    )
    # when
    response = signed_in("owner").post(
        "/accounts/new/", {"name": "Acme", "cf.size": "many", "cf.since": "2026-02-30"}
    )
    # then
    assert response.status_code == 400
    body = response.content.decode()
    assert re.search(r'id="f-cf-size-err" role="alert">Enter a whole number.</small>', body)
    assert re.search(r'id="f-cf-since-err" role="alert">Enter a date as YYYY-MM-DD.</small>', body)
    assert 'id="f-cf-code-err"' in body
    assert 'value="many"' in body  # what was typed is kept
    assert Account.objects.count() == 0


@pytest.mark.django_db
def test_editing_fills_dates_booleans_choices_and_custom_fields(personas: Personas) -> None:
    # given
    CustomFieldFactory(record_type="contacts", name="met", label="Met", field_type="datetime")
    CustomFieldFactory(record_type="contacts", name="vip", label="VIP", field_type="boolean")
    contact = create(
        "contacts",
        personas.owner,
        family_name="Hopper",
        salutation="dr",
        birthday=dt.date(1906, 12, 9),
        custom_fields={"met": "2026-11-20T08:00:00+00:00", "vip": True},
    )
    # when
    body = signed_in("owner").get(f"/contacts/{contact.pk}/edit/").content.decode()
    # then
    assert 'name="birthday" value="1906-12-09"' in body
    assert '<option value="dr" selected>' in body
    met = timezone.localtime(dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC))
    assert f'name="cf.met" value="{met:%Y-%m-%dT%H:%M}"' in body
    assert 'name="cf.vip" checked' in body


@pytest.mark.django_db
def test_clearing_a_custom_field_in_the_edit_form_removes_its_value(personas: Personas) -> None:
    CustomFieldFactory(record_type="accounts", name="tier", label="Tier", field_type="text")
    account = create("accounts", personas.owner, name="Acme", custom_fields={"tier": "Gold"})
    response = signed_in("owner").post(
        f"/accounts/{account.pk}/edit/", {"name": "Acme", "cf.tier": ""}
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.custom_fields == {}


@pytest.mark.django_db
def test_an_unknown_tag_is_refused_beside_the_tags_field(personas: Personas) -> None:
    Tag.objects.create(name="vip")
    response = signed_in("owner").post("/accounts/new/", {"name": "Acme", "tags": ["nope"]})
    assert response.status_code == 400
    body = response.content.decode()
    assert re.search(r'id="f-tags-err" role="alert">Object with name=nope does not exist.', body)
    assert Account.objects.count() == 0


@pytest.mark.django_db
def test_child_rows_are_saved_and_shown_again_when_editing(personas: Personas) -> None:
    # given
    account = AccountFactory(name="Acme", owner=personas.owner)
    client = signed_in("owner")
    # when
    response = client.post(
        "/contacts/new/",
        {
            "family_name": "Hopper",
            "emails-0-email": "grace@acme.test",
            "emails-0-is_primary": "on",
            "emails-3-email": "hopper@home.test",
            "emails-3-label": "personal",
            "phones-0-number": "+1 650 253 0000",
            "memberships-0-account": str(account.pk),
            "memberships-0-buying_role": "decision_maker",
            "memberships-0-is_primary": "on",
        },
    )
    # then
    assert response.status_code == 302, response.content.decode()
    contact = Contact.objects.get()
    assert sorted(contact.emails.values_list("email", "label")) == [
        ("grace@acme.test", "work"),
        ("hopper@home.test", "personal"),
    ]
    membership = contact.memberships.get()
    assert (membership.account, membership.buying_role) == (account, "decision_maker")
    edit = client.get(f"/contacts/{contact.pk}/edit/").content.decode()
    assert f'name="memberships-0-account" value="{account.pk}" data-picker-value' in edit
    assert 'id="f-memberships-0-account" type="search" autocomplete="off" value="Acme"' in edit
    assert '<label for="f-memberships-0-account">Account</label>' in edit
    assert "data-remove-row" in edit and "data-add-row" in edit


@pytest.mark.django_db
def test_removing_a_child_row_in_the_edit_form_deletes_it(personas: Personas) -> None:
    contact = create(
        "contacts",
        personas.owner,
        family_name="Hopper",
        emails=[{"email": "a@acme.test", "is_primary": True}, {"email": "b@acme.test"}],
    )
    # the form posts only the row that was kept (row 0 removed in the browser)
    response = signed_in("owner").post(
        f"/contacts/{contact.pk}/edit/",
        {"family_name": "Hopper", "emails-1-email": "b@acme.test", "emails-1-is_primary": "on"},
    )
    assert response.status_code == 302
    assert list(contact.emails.values_list("email", flat=True)) == ["b@acme.test"]


@pytest.mark.django_db
def test_a_bad_child_row_value_is_shown_beside_that_rows_field(personas: Personas) -> None:
    # when
    response = signed_in("owner").post(
        "/contacts/new/",
        {
            "family_name": "Hopper",
            "emails-0-email": "good@acme.test",
            "emails-1-email": "not-mail",
        },
    )
    # then
    assert response.status_code == 400
    body = response.content.decode()
    assert (
        '<small class="field-error" id="f-emails-1-email-err" role="alert">'
        "Enter a valid email address.</small>"
    ) in body
    assert 'id="f-emails-0-email-err"' not in body
    assert 'value="not-mail"' in body
    assert Contact.objects.count() == 0


@pytest.mark.django_db
def test_a_missing_required_field_is_shown_beside_it(personas: Personas) -> None:
    response = signed_in("owner").post("/contacts/new/", {"given_name": "Grace"})
    assert response.status_code == 400
    body = response.content.decode()
    assert (
        '<small class="field-error" id="f-family_name-err" role="alert">'
        "This field is required.</small>"
    ) in body
    assert 'name="given_name" value="Grace"' in body
    assert Contact.objects.count() == 0


@pytest.mark.django_db
def test_a_bad_date_and_number_are_shown_beside_their_fields(personas: Personas) -> None:
    response = signed_in("owner").post(
        "/contacts/new/", {"family_name": "Hopper", "birthday": "yesterday"}
    )
    assert response.status_code == 400
    assert 'id="f-birthday-err"' in response.content.decode()
    response = signed_in("owner").post(
        "/accounts/new/", {"name": "A", "employee_count": "x", "industry": "bogus"}
    )
    assert response.status_code == 400
    assert re.search(
        r'id="f-employee_count-err" role="alert">A valid integer is required.',
        response.content.decode(),
    )
    assert re.search(
        r'id="f-industry-err" role="alert">&quot;bogus&quot; is not a valid choice.',
        response.content.decode(),
    )
    assert Contact.objects.count() == 0
    assert Account.objects.count() == 0


# --- pickers ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_account_picker_offers_only_accounts_the_user_may_see(personas: Personas) -> None:
    create("accounts", personas.owner, name="Acme Visible")
    create("accounts", personas.other, name="Acme Hidden")
    body = signed_in("owner").get("/pick/accounts/", {"q": "Acme"}).content.decode()
    assert "Acme Visible" in body
    assert "Acme Hidden" not in body


@pytest.mark.django_db
def test_posting_an_account_the_user_may_not_see_is_refused_beside_the_field(
    personas: Personas,
) -> None:
    # given
    hidden = AccountFactory(name="Acme Hidden", owner=personas.other)
    client = signed_in("owner")
    # when: a membership row names the hidden account
    response = client.post(
        "/contacts/new/",
        {"family_name": "Hopper", "memberships-0-account": str(hidden.pk)},
    )
    # then
    assert response.status_code == 400
    body = response.content.decode()
    error = re.search(
        r'<small class="field-error" id="f-memberships-0-account-err"[^>]*>(.*?)</small>', body
    )
    assert error and "does not exist" in error.group(1)
    assert '<label for="f-memberships-0-account">Account</label>' in body
    assert "Acme Hidden" not in body
    assert Contact.objects.count() == 0
    # when: an opportunity names it
    response = client.post("/opportunities/new/", {"name": "Deal", "account": str(hidden.pk)})
    assert response.status_code == 400
    body = response.content.decode()
    error = re.search(r'<small class="field-error" id="f-account-err"[^>]*>(.*?)</small>', body)
    assert error and "does not exist" in error.group(1)
    assert "Acme Hidden" not in body


# --- duplicates ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_likely_duplicate_contact_is_not_saved_until_confirmed(personas: Personas) -> None:
    # given
    existing = create(
        "contacts",
        personas.owner,
        given_name="Grace",
        family_name="Hopper",
        emails=[{"email": "grace@navy.test", "is_primary": True}],
    )
    client = signed_in("owner")
    form = {
        "given_name": "Grace",
        "family_name": "Hopper",
        "emails-0-email": "grace@navy.test",
    }
    # when
    first = client.post("/contacts/new/", form)
    # then
    assert first.status_code == 200
    body = first.content.decode()
    assert (
        f'<a href="/contacts/{existing.pk}/" target="_blank" rel="noopener">Grace Hopper</a>'
        in body
    )
    assert '<button type="submit" name="confirm_duplicates" value="1"' in body
    # pressing Enter submits the first button, which must stay the plain "Save"
    assert body.index(">Save</button>") < body.index('name="confirm_duplicates"')
    assert Contact.objects.count() == 1
    # when: "Save anyway"
    second = client.post("/contacts/new/", {**form, "confirm_duplicates": "1"})
    # then
    assert second.status_code == 302
    assert Contact.objects.count() == 2


@pytest.mark.django_db
def test_the_duplicate_warning_lists_only_records_the_user_may_see(personas: Personas) -> None:
    create(
        "contacts",
        personas.other,
        given_name="Grace",
        family_name="Hopper",
        emails=[{"email": "grace@navy.test", "is_primary": True}],
    )
    response = signed_in("owner").post(
        "/contacts/new/",
        {"given_name": "Grace", "family_name": "Hopper", "emails-0-email": "grace@navy.test"},
    )
    assert response.status_code == 302
    assert Contact.objects.count() == 2


@pytest.mark.django_db
def test_a_likely_duplicate_lead_and_account_are_warned_about(personas: Personas) -> None:
    lead = LeadFactory(
        given_name="Ada", family_name="Lovelace", email="ada@engine.test", owner=personas.owner
    )
    account = AccountFactory(name="Acme", owner=personas.owner)
    client = signed_in("owner")
    lead_response = client.post(
        "/leads/new/", {"given_name": "Ada", "family_name": "Lovelace", "email": "ada@engine.test"}
    )
    assert lead_response.status_code == 200
    assert f'href="/leads/{lead.pk}/"' in lead_response.content.decode()
    assert Lead.objects.count() == 1
    account_response = client.post("/accounts/new/", {"name": "ACME", "website": "https://x.test"})
    assert account_response.status_code == 200
    body = account_response.content.decode()
    assert f'<a href="/accounts/{account.pk}/" target="_blank" rel="noopener">Acme</a>' in body
    assert "(same name)" in body
    assert Account.objects.count() == 1


@pytest.mark.django_db
def test_the_duplicate_check_while_typing(personas: Personas) -> None:
    existing = AccountFactory(name="Acme", owner=personas.owner)
    response = signed_in("owner").post(
        "/accounts/new/duplicates/", {"name": "acme"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert f'href="/accounts/{existing.pk}/"' in body
    assert "Save anyway" not in body
    assert Account.objects.count() == 1


# --- access -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_record_the_user_may_view_but_not_change_cannot_be_edited(personas: Personas) -> None:
    # given: teammate sees owner's team account read-only
    account = AccountFactory(
        name="Acme", owner=personas.owner, team=personas.team, employee_count=5
    )
    client = signed_in("teammate")
    page = client.get(f"/accounts/{account.pk}/").content.decode()
    assert f'href="/accounts/{account.pk}/edit/"' not in page
    # when
    form = client.get(f"/accounts/{account.pk}/edit/")
    post = client.post(f"/accounts/{account.pk}/edit/", {"name": "Hacked", "employee_count": "9"})
    # then
    assert form.status_code == 403
    assert post.status_code == 403
    account.refresh_from_db()
    assert (account.name, account.employee_count) == ("Acme", 5)
    assert not ChangeLogEntry.objects.filter(object_id=str(account.pk)).exists()


@pytest.mark.django_db
def test_the_record_page_of_an_account_with_amounts_formats_numbers(personas: Personas) -> None:
    account = AccountFactory(
        name="Acme", owner=personas.owner, annual_revenue=Decimal("1234567.50")
    )
    body = signed_in("owner").get(f"/accounts/{account.pk}/").content.decode()
    assert "<dt>Annual revenue</dt><dd>1,234,567.50</dd>" in body


@pytest.mark.django_db
def test_a_new_form_starts_with_the_defaults_and_an_empty_choice_keeps_them(
    personas: Personas,
) -> None:
    client = signed_in("owner")
    body = client.get("/accounts/new/").content.decode()
    assert '<option value="prospect" selected>' in body
    response = client.post("/accounts/new/", {"name": "Acme", "lifecycle_stage": ""})
    assert response.status_code == 302
    assert Account.objects.get().lifecycle_stage == "prospect"


@pytest.mark.django_db
def test_an_activity_form_takes_a_local_datetime_users_and_contacts(personas: Personas) -> None:
    # given
    contact = ContactFactory(owner=personas.owner)
    client = signed_in("owner")
    form = client.get("/activities/new/").content.decode()
    assert 'name="due_at" value=""\n         type="datetime-local"' in form
    assert '<select id="f-participant_users" name="participant_users" multiple' in form
    assert f'<option value="{personas.teammate.pk}">teammate</option>' in form
    # when
    response = client.post(
        "/activities/new/",
        {
            "kind": "meeting",
            "subject": "Review",
            "due_at": "2026-12-01T09:30",
            "done": "on",
            "participant_users": [str(personas.teammate.pk)],
            "participant_contacts": str(contact.pk),
        },
    )
    # then
    assert response.status_code == 302, response.content.decode()
    activity = Activity.objects.get()
    assert activity.due_at == timezone.make_aware(dt.datetime(2026, 12, 1, 9, 30))
    assert activity.done is True
    assert list(activity.participant_users.all()) == [personas.teammate]
    assert list(activity.participant_contacts.all()) == [contact]
    edit = client.get(f"/activities/{activity.pk}/edit/").content.decode()
    assert 'name="due_at" value="2026-12-01T09:30"' in edit
    assert f'<option value="{personas.teammate.pk}" selected>teammate</option>' in edit
    assert 'role="switch" id="f-done" name="done" checked' in edit


@pytest.mark.django_db
def test_declared_sections_replace_the_generic_ones(personas: Personas) -> None:
    # given a record type that declares its sections
    rt = dataclasses.replace(
        get_record_type("accounts"),
        sections=(("Basics", ("name",)), ("Money", ("annual_revenue",))),
    )
    columns = available_columns(rt)
    data = {"name": "Acme", "annual_revenue": "10.00", "industry": "software", "owner": None}
    # when
    sections = record_sections(rt, columns, data, {})
    # then: undeclared fields join the first section
    assert [(s.title, [f.column.name for f in s.fields]) for s in sections] == [
        ("Basics", ["name", "industry"]),
        ("Money", ["annual_revenue"]),
    ]


@pytest.mark.django_db
def test_record_pages_of_activities_and_configuration_render(personas: Personas) -> None:
    # given
    contact = ContactFactory(owner=personas.owner)
    activity = ActivityFactory(
        subject="Lunch",
        owner=personas.owner,
        related_type=ContentType.objects.get_for_model(Contact),
        related_id=contact.pk,
    )
    deal = OpportunityFactory(owner=personas.owner)
    client = signed_in("admin")
    # when
    activity_page = client.get(f"/activities/{activity.pk}/")
    stage_page = client.get(f"/stages/{deal.stage_id}/")
    tag_page = client.get(f"/tags/{Tag.objects.create(name='vip').pk}/")
    # then
    assert activity_page.status_code == 200
    assert 'id="quick-add"' not in activity_page.content.decode()
    assert "Activities (" not in activity_page.content.decode()
    assert (
        f'<span class="key-label">Contact</span> <a href="/contacts/{contact.pk}/">'
        in activity_page.content.decode()
    )
    assert stage_page.status_code == 200
    assert 'id="quick-add"' not in stage_page.content.decode()
    assert tag_page.status_code == 200


@pytest.mark.django_db
def test_a_list_in_a_json_field_is_typed_one_value_per_line(personas: Personas) -> None:
    # given
    client = signed_in("admin")
    form = {"record_type": "contacts", "name": "tier", "label": "Tier", "field_type": "choice"}
    # when
    response = client.post("/custom-fields/new/", {**form, "choices": "Gold\r\nSilver\r\n"})
    # then
    assert response.status_code == 302
    definition = CustomFieldDefinition.objects.get(name="tier")
    assert definition.choices == ["Gold", "Silver"]
    edit = client.get(f"/custom-fields/{definition.pk}/edit/").content.decode()
    assert 'name="choices" rows="4"' in edit
    assert ">Gold\nSilver</textarea>" in edit
    # when: JSON is accepted too
    response = client.post("/custom-fields/new/", {**form, "name": "size", "choices": '["S", "M"]'})
    assert response.status_code == 302
    assert CustomFieldDefinition.objects.get(name="size").choices == ["S", "M"]
