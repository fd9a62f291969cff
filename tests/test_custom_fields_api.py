"""Custom fields end to end through the API: definitions of all 14 types, required and default,
validation, filters, sorting, references and type changes."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from conftest import Personas, client_for
from rapport.contacts.models import Contact
from rapport.core.choices import CustomFieldType
from rapport.core.models import ChangeLogEntry, CustomFieldDefinition
from rapport.framework.api.problems import PROBLEM_CONTENT_TYPE
from rapport.framework.testing.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db

# One field of each type on contacts, as an administrator posts it.
DEFINITIONS: list[dict[str, Any]] = [
    {"name": "nickname", "field_type": "text"},
    {"name": "notes", "field_type": "long_text"},
    {"name": "seats", "field_type": "integer"},
    {"name": "score", "field_type": "decimal"},
    {"name": "budget", "field_type": "money"},
    {"name": "renewal_on", "field_type": "date"},
    {"name": "last_seen_at", "field_type": "datetime"},
    {"name": "vip", "field_type": "boolean"},
    {"name": "tier", "field_type": "choice", "choices": ["gold", "silver", "bronze"]},
    {"name": "channels", "field_type": "multiple_choice", "choices": ["email", "phone", "post"]},
    {"name": "homepage", "field_type": "url"},
    {"name": "billing_email", "field_type": "email"},
    {"name": "hotline", "field_type": "phone"},
    {"name": "partner", "field_type": "reference", "reference_type": "accounts"},
]


def define(admin_api: APIClient, **fields: Any) -> dict[str, Any]:
    payload = {
        "record_type": "contacts",
        "label": fields["name"].replace("_", " ").title(),
        **fields,
    }
    response = admin_api.post("/api/custom-fields/", payload)
    assert response.status_code == 201, response.content
    return dict(response.json())


def problem_errors(response: Any, status: int = 400) -> list[tuple[str, str]]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    return [(e["field"], e["code"]) for e in response.json()["errors"]]


@pytest.fixture
def admin_api(personas: Personas) -> APIClient:
    return client_for(personas.admin)


@pytest.fixture
def owner_api(personas: Personas) -> APIClient:
    return client_for(personas.owner)


@pytest.fixture
def all_fields(admin_api: APIClient) -> None:
    for definition in DEFINITIONS:
        define(admin_api, **definition)


def create_contact(api: APIClient, name: str, **values: Any) -> dict[str, Any]:
    response = api.post("/api/contacts/", {"family_name": name, "custom_fields": values})
    assert response.status_code == 201, response.content
    return dict(response.json())


# --- definitions --------------------------------------------------------------------------


def test_admin_defines_one_field_of_each_type(personas: Personas, admin_api: APIClient) -> None:
    # when
    created = [define(admin_api, **d) for d in DEFINITIONS]
    # then
    assert sorted(d["field_type"] for d in created) == sorted(CustomFieldType.values)
    assert len(CustomFieldType.values) == 14
    stored = {
        d.name: (d.field_type, d.choices, d.reference_type, d.required, d.default)
        for d in CustomFieldDefinition.objects.all()
    }
    assert stored == {
        d["name"]: (d["field_type"], d.get("choices", []), d.get("reference_type", ""), False, None)
        for d in DEFINITIONS
    }
    assert ChangeLogEntry.objects.filter(action="create").count() == 14


def test_non_admin_cannot_define_fields(personas: Personas, owner_api: APIClient) -> None:
    # when
    response = owner_api.post(
        "/api/custom-fields/",
        {"record_type": "contacts", "name": "budget", "label": "Budget", "field_type": "money"},
    )
    # then
    assert response.status_code == 403, response.content
    assert response.json()["code"] == "create_denied"
    assert not CustomFieldDefinition.objects.exists()
    assert not ChangeLogEntry.objects.exists()


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({"name": "tier", "field_type": "choice"}, [("choices", "required")]),
        ({"name": "partner", "field_type": "reference"}, [("reference_type", "required")]),
        (
            {"name": "partner", "field_type": "reference", "reference_type": "nothing"},
            [("reference_type", "invalid_choice")],
        ),
        (
            {"name": "partner", "field_type": "reference", "reference_type": "pipelines"},
            [("reference_type", "invalid_choice")],
        ),
        ({"name": "Bad Name", "field_type": "text"}, [("name", "invalid")]),
        (
            {"name": "seats", "field_type": "integer", "default": "many"},
            [("default", "invalid_type")],
        ),
        (
            {"name": "tier", "field_type": "choice", "choices": ["gold"], "default": "platinum"},
            [("default", "invalid_choice")],
        ),
        ({"name": "kind", "field_type": "colour"}, [("field_type", "invalid_choice")]),
    ],
)
def test_invalid_definitions_are_refused(
    personas: Personas, admin_api: APIClient, payload: dict[str, Any], errors: list[tuple[str, str]]
) -> None:
    # when
    response = admin_api.post(
        "/api/custom-fields/", {"record_type": "contacts", "label": "Field", **payload}
    )
    # then
    assert problem_errors(response) == errors
    assert not CustomFieldDefinition.objects.exists()
    assert not ChangeLogEntry.objects.exists()


def test_a_name_is_unique_per_record_type(personas: Personas, admin_api: APIClient) -> None:
    # given
    define(admin_api, name="budget", field_type="money")
    define(admin_api, name="budget", field_type="money", record_type="accounts")
    # when
    response = admin_api.post(
        "/api/custom-fields/",
        {"record_type": "contacts", "name": "budget", "label": "Again", "field_type": "text"},
    )
    # then
    assert problem_errors(response) == [("", "unique")]
    assert CustomFieldDefinition.objects.count() == 2


def test_changing_a_fields_type_is_refused(personas: Personas, admin_api: APIClient) -> None:
    # given a field with values
    field = define(admin_api, name="seats", field_type="integer")
    ContactFactory(owner=personas.owner, custom_fields={"seats": 9})
    changes = ChangeLogEntry.objects.count()
    # when
    response = admin_api.patch(f"/api/custom-fields/{field['id']}/", {"field_type": "text"})
    relabel = admin_api.patch(f"/api/custom-fields/{field['id']}/", {"label": "Licences"})
    # then the type stays; other attributes may change
    assert problem_errors(response) == [("field_type", "immutable")]
    assert relabel.status_code == 200, relabel.content
    stored = CustomFieldDefinition.objects.get()
    assert (stored.field_type, stored.label) == ("integer", "Licences")
    assert ChangeLogEntry.objects.count() == changes + 1


# --- values -------------------------------------------------------------------------------


def test_values_of_every_type_are_validated_and_normalised(
    personas: Personas, owner_api: APIClient, all_fields: None
) -> None:
    # given
    partner = AccountFactory(owner=personas.owner)
    # when
    body = create_contact(
        owner_api,
        "Lovelace",
        nickname="Ada",
        notes="First line\nSecond line",
        seats="12",
        score=2.5,
        budget="1000.50",
        renewal_on="2025-01-31",
        last_seen_at="2025-01-31T10:00:00+08:00",
        vip=True,
        tier="gold",
        channels=["post", "email", "post"],
        homepage="https://example.com/a",
        billing_email="Ada@Example.COM",
        hotline="(202) 555-0142",
        partner=partner.pk,
    )
    # then
    expected = {
        "nickname": "Ada",
        "notes": "First line\nSecond line",
        "seats": 12,
        "score": "2.5",
        "budget": "1000.50",
        "renewal_on": "2025-01-31",
        "last_seen_at": "2025-01-31T02:00:00+00:00",
        "vip": True,
        "tier": "gold",
        "channels": ["email", "post"],
        "homepage": "https://example.com/a",
        "billing_email": "Ada@example.com",
        "hotline": "+12025550142",
        "partner": partner.pk,
    }
    assert body["custom_fields"] == expected
    assert Contact.objects.get().custom_fields == expected


def test_update_changes_only_the_given_values(
    personas: Personas, owner_api: APIClient, all_fields: None
) -> None:
    # given
    contact = create_contact(owner_api, "Lovelace", nickname="Ada", seats=3, vip=False)
    # when one value changes and one is cleared
    response = owner_api.patch(
        f"/api/contacts/{contact['id']}/", {"custom_fields": {"seats": 4, "nickname": None}}
    )
    # then
    assert response.status_code == 200, response.content
    assert Contact.objects.get().custom_fields == {"seats": 4, "vip": False}


def test_invalid_update_keeps_the_old_values(
    personas: Personas, owner_api: APIClient, all_fields: None
) -> None:
    # given
    contact = create_contact(owner_api, "Lovelace", seats=3)
    changes = ChangeLogEntry.objects.count()
    # when one value is valid and one is not
    response = owner_api.patch(
        f"/api/contacts/{contact['id']}/", {"custom_fields": {"seats": 4, "tier": "platinum"}}
    )
    # then nothing changes
    assert problem_errors(response) == [("custom_fields.tier", "invalid_choice")]
    assert Contact.objects.get().custom_fields == {"seats": 3}
    assert ChangeLogEntry.objects.count() == changes


def test_required_field(personas: Personas, admin_api: APIClient, owner_api: APIClient) -> None:
    # given a required field
    define(admin_api, name="seats", field_type="integer", required=True)
    # when created without it, with it, then cleared, then updated without mentioning it
    missing = owner_api.post("/api/contacts/", {"family_name": "Lovelace"})
    given = owner_api.post(
        "/api/contacts/", {"family_name": "Byron", "custom_fields": {"seats": 2}}
    )
    contact_id = given.json()["id"]
    cleared = owner_api.patch(f"/api/contacts/{contact_id}/", {"custom_fields": {"seats": None}})
    untouched = owner_api.patch(f"/api/contacts/{contact_id}/", {"job_title": "Poet"})
    # then
    assert problem_errors(missing) == [("custom_fields.seats", "required")]
    assert given.status_code == 201, given.content
    assert problem_errors(cleared) == [("custom_fields.seats", "required")]
    assert untouched.status_code == 200, untouched.content
    assert list(Contact.objects.values_list("family_name", "job_title", "custom_fields")) == [
        ("Byron", "Poet", {"seats": 2})
    ]


def test_default_applies_on_create_only(
    personas: Personas, admin_api: APIClient, owner_api: APIClient
) -> None:
    # given a contact made before the field existed, and a required field with a default
    earlier = create_contact(owner_api, "Earlier")
    define(
        admin_api,
        name="tier",
        field_type="choice",
        choices=["gold", "silver"],
        default="silver",
        required=True,
    )
    # when
    defaulted = create_contact(owner_api, "Lovelace")
    chosen = create_contact(owner_api, "Byron", tier="gold")
    touched = owner_api.patch(f"/api/contacts/{earlier['id']}/", {"job_title": "Poet"})
    # then
    assert defaulted["custom_fields"] == {"tier": "silver"}
    assert chosen["custom_fields"] == {"tier": "gold"}
    assert touched.status_code == 200, touched.content
    assert Contact.objects.get(pk=earlier["id"]).custom_fields == {}


def test_reference_to_an_invisible_record_is_refused(
    personas: Personas, owner_api: APIClient, all_fields: None
) -> None:
    # given
    hidden = AccountFactory(owner=personas.other)
    visible = AccountFactory(owner=personas.owner)
    contact = create_contact(owner_api, "Lovelace", partner=visible.pk)
    changes = ChangeLogEntry.objects.count()
    # when
    created = owner_api.post(
        "/api/contacts/", {"family_name": "Byron", "custom_fields": {"partner": hidden.pk}}
    )
    updated = owner_api.patch(
        f"/api/contacts/{contact['id']}/", {"custom_fields": {"partner": hidden.pk}}
    )
    # then
    assert problem_errors(created) == [("custom_fields.partner", "does_not_exist")]
    assert problem_errors(updated) == [("custom_fields.partner", "does_not_exist")]
    assert list(Contact.objects.values_list("custom_fields", flat=True)) == [
        {"partner": visible.pk}
    ]
    assert ChangeLogEntry.objects.count() == changes


# --- filters and sorting --------------------------------------------------------------------


@pytest.fixture
def filter_rows(personas: Personas, owner_api: APIClient, all_fields: None) -> dict[str, int]:
    """Four contacts of the owner, and one of another user that must never show."""
    partner = AccountFactory(owner=personas.owner)
    rows = {
        "Able": {
            "nickname": "Adder",
            "seats": 9,
            "score": "10.25",
            "budget": "999.99",
            "renewal_on": "2025-03-01",
            "last_seen_at": "2025-01-31T10:00:00+08:00",
            "vip": True,
            "tier": "gold",
            "channels": ["email", "phone"],
            "homepage": "https://able.example",
            "partner": partner.pk,
        },
        "Baker": {
            "nickname": "badger",
            "seats": 10,
            "score": "2.5",
            "budget": "1000",
            "renewal_on": "2025-07-01",
            "last_seen_at": "2025-01-31T05:00:00Z",
            "vip": False,
            "tier": "silver",
            "channels": ["post"],
        },
        "Charlie": {
            "nickname": "Cat",
            "seats": 100,
            "score": "-1",
            "budget": "20000.5",
            "renewal_on": "2024-12-31",
            "last_seen_at": "2025-01-30T23:00:00-05:00",
            "tier": "bronze",
            "channels": ["email"],
        },
        "Dog": {},
    }
    ids = {name: create_contact(owner_api, name, **values)["id"] for name, values in rows.items()}
    ContactFactory(
        owner=personas.other,
        family_name="Hidden",
        custom_fields={
            "nickname": "Adder",
            "seats": 50,
            "tier": "gold",
            "vip": True,
            "channels": ["email"],
        },
    )
    return ids


def names(api: APIClient, query: str) -> list[str]:
    response = api.get(f"/api/contacts/?{query}")
    assert response.status_code == 200, response.content
    return [c["family_name"] for c in response.json()["results"]]


FILTERS: list[tuple[str, list[str]]] = [
    ("cf_nickname=Cat", ["Charlie"]),
    ("cf_nickname__icontains=AD", ["Able", "Baker"]),
    ("cf_nickname__in=Cat,badger", ["Baker", "Charlie"]),
    ("cf_nickname__isnull=true", ["Dog"]),
    ("cf_homepage__isnull=false", ["Able"]),
    ("cf_seats=10", ["Baker"]),
    ("cf_seats__gte=10", ["Baker", "Charlie"]),
    ("cf_seats__lt=10", ["Able"]),
    ("cf_seats__in=9,100", ["Able", "Charlie"]),
    ("cf_score__gt=2.5", ["Able"]),
    ("cf_score__lte=2.5", ["Baker", "Charlie"]),
    ("cf_budget__gte=1000", ["Baker", "Charlie"]),
    ("cf_renewal_on__lt=2025-06-01", ["Able", "Charlie"]),
    ("cf_renewal_on=2025-07-01", ["Baker"]),
    ("cf_last_seen_at__gte=2025-01-31T03:00:00%2B00:00", ["Baker", "Charlie"]),
    ("cf_last_seen_at__lt=2025-01-31T00:00:00-04:00", ["Able"]),
    ("cf_vip=true", ["Able"]),
    ("cf_vip=false", ["Baker"]),
    ("cf_tier=gold", ["Able"]),
    ("cf_tier__in=gold,bronze", ["Able", "Charlie"]),
    ("cf_channels=email", ["Able", "Charlie"]),
    ("cf_channels=post", ["Baker"]),
    ("cf_seats__gte=10&cf_channels=email", ["Charlie"]),
]


def test_filter_by_custom_field(owner_api: APIClient, filter_rows: dict[str, int]) -> None:
    # when each filter is applied (sorted by name)
    results = [
        (query, names(owner_api, f"{query}&ordering=family_name")) for query, _expected in FILTERS
    ]
    # then only the owner's matching contacts, for every filter
    assert results == FILTERS


def test_filter_by_reference(
    personas: Personas, owner_api: APIClient, filter_rows: dict[str, int]
) -> None:
    # given
    partner_id = Contact.objects.get(family_name="Able").custom_fields["partner"]
    # then
    assert names(owner_api, f"cf_partner={partner_id}") == ["Able"]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("cf_nope=1", "cf_nope", "There is no custom field of this name."),
        ("cf_seats__gte=many", "cf_seats__gte", "Enter a number."),
        ("cf_seats__regex=1", "cf_seats__regex", "Unknown lookup “regex”."),
        ("cf_renewal_on__gte=soon", "cf_renewal_on__gte", "Enter a date as YYYY-MM-DD."),
        ("ordering=cf_nope", "ordering", "Cannot sort by: cf_nope."),
    ],
)
def test_bad_filter_or_sort_is_a_400_problem(
    owner_api: APIClient, all_fields: None, query: str, field: str, message: str
) -> None:
    # when
    response = owner_api.get(f"/api/contacts/?{query}")
    # then
    assert problem_errors(response) == [(field, "invalid")]
    assert response.json()["errors"][0]["message"] == message


SORTS: list[tuple[str, list[str]]] = [
    ("cf_seats", ["Able", "Baker", "Charlie"]),  # 9 < 10 < 100
    ("-cf_seats", ["Charlie", "Baker", "Able"]),
    ("cf_score", ["Charlie", "Baker", "Able"]),  # -1 < 2.5 < 10.25
    ("cf_budget", ["Able", "Baker", "Charlie"]),  # 999.99 < 1000 < 20000.5
    ("-cf_budget", ["Charlie", "Baker", "Able"]),
    ("cf_nickname", ["Able", "Charlie", "Baker"]),  # Adder < Cat < badger (binary order)
    ("cf_renewal_on", ["Charlie", "Able", "Baker"]),
    ("cf_last_seen_at", ["Able", "Charlie", "Baker"]),  # 02:00Z < 04:00Z < 05:00Z
    ("-cf_last_seen_at", ["Baker", "Charlie", "Able"]),
]


def test_sort_by_custom_field(owner_api: APIClient, filter_rows: dict[str, int]) -> None:
    # when sorted, among the contacts that have the values
    results = [
        (ordering, names(owner_api, f"ordering={ordering}&cf_seats__isnull=false"))
        for ordering, _expected in SORTS
    ]
    # then
    assert results == SORTS


def test_numbers_at_the_limits_filter_and_sort(owner_api: APIClient, all_fields: None) -> None:
    # given the largest whole number and the smallest fraction a number field accepts
    create_contact(owner_api, "Huge", seats=10**20 - 1, score="99999999999999999999.9999999999")
    create_contact(owner_api, "Tiny", seats=-(10**20 - 1), score="0.0000000001")
    create_contact(owner_api, "Plain", seats=5, score="1.500")
    # when filtered and sorted on them, then
    assert names(owner_api, "cf_seats__gte=1&ordering=cf_seats") == ["Plain", "Huge"]
    assert names(owner_api, "ordering=-cf_score") == ["Huge", "Plain", "Tiny"]
    assert names(owner_api, "cf_score__lt=0.00000000011") == ["Tiny"]
    assert Contact.objects.get(family_name="Plain").custom_fields == {"seats": 5, "score": "1.500"}


def test_sort_by_custom_field_pages_with_the_cursor(
    owner_api: APIClient, filter_rows: dict[str, int]
) -> None:
    # when the numeric order is read two at a time
    first = owner_api.get("/api/contacts/?ordering=cf_seats&cf_seats__isnull=false&limit=2")
    second = owner_api.get(first.json()["next"])
    # then
    assert [c["family_name"] for c in first.json()["results"]] == ["Able", "Baker"]
    assert [c["family_name"] for c in second.json()["results"]] == ["Charlie"]
    assert second.json()["next"] is None
