"""Bad input through the REST API: every kind is a 4xx problem document that names the field
and a stable code, never a 500, and nothing is written (rows and change log unchanged)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.db import models
from rest_framework.test import APIClient

from conftest import Personas, client_for
from rapport.accounts.models import Account
from rapport.activities.models import Activity
from rapport.contacts.models import AccountMembership, Contact, ContactEmail, ContactPhone
from rapport.core.models import ChangeLogEntry, CustomFieldDefinition
from rapport.framework.api.problems import PROBLEM_CONTENT_TYPE, TYPE_BASE
from rapport.framework.testing.factories import (
    AccountFactory,
    CustomFieldFactory,
    StageFactory,
    currency,
)
from rapport.leads.models import Lead
from rapport.opportunities.models import Opportunity, OpportunityContact, StageHistory

pytestmark = pytest.mark.django_db

_COUNTED: list[type[models.Model]] = [
    Account,
    Contact,
    ContactEmail,
    ContactPhone,
    AccountMembership,
    Lead,
    Opportunity,
    OpportunityContact,
    StageHistory,
    Activity,
    CustomFieldDefinition,
    ChangeLogEntry,
]


def row_counts() -> dict[str, int]:
    return {m.__name__: m._default_manager.count() for m in _COUNTED}


def problem(response: Any, status: int, code: str) -> dict[str, Any]:
    """The problem document of ``response``, after checking its status, type and code."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == TYPE_BASE + code
    assert body["title"]
    return body


def field_errors(body: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["field"], e["code"]) for e in body["errors"]]


@pytest.fixture
def owner_api(personas: Personas) -> APIClient:
    return client_for(personas.owner)


# --- wrong types, missing fields, unknown choices ---------------------------------------------


def test_wrong_type_is_refused_by_field(personas: Personas, owner_api: APIClient) -> None:
    # given
    before = row_counts()
    # when
    response = owner_api.post("/api/accounts/", {"name": "Acme", "employee_count": "many"})
    # then
    body = problem(response, 400, "validation_error")
    assert body["errors"] == [
        {"field": "employee_count", "code": "invalid", "message": "A valid integer is required."}
    ]
    assert row_counts() == before


def test_body_that_is_not_an_object_is_refused(personas: Personas, owner_api: APIClient) -> None:
    # given
    before = row_counts()
    # when
    response = owner_api.post("/api/contacts/", [{"family_name": "Lovelace"}])
    # then
    body = problem(response, 400, "validation_error")
    assert field_errors(body) == [("", "invalid")]
    assert row_counts() == before


def test_child_row_with_wrong_value_is_named_by_path(
    personas: Personas, owner_api: APIClient
) -> None:
    # given
    before = row_counts()
    # when
    response = owner_api.post(
        "/api/contacts/",
        {
            "family_name": "Lovelace",
            "emails": [{"email": "ada@example.com"}, {"email": "not an address"}],
        },
    )
    # then
    body = problem(response, 400, "validation_error")
    assert field_errors(body) == [("emails.1.email", "invalid")]
    assert row_counts() == before


def test_contact_without_family_name_is_refused(personas: Personas, owner_api: APIClient) -> None:
    # given
    before = row_counts()
    # when
    response = owner_api.post("/api/contacts/", {"given_name": "Ada"})
    # then
    body = problem(response, 400, "validation_error")
    assert body["errors"] == [
        {"field": "family_name", "code": "required", "message": "This field is required."}
    ]
    assert row_counts() == before


def test_opportunity_without_its_references_is_refused(
    personas: Personas, owner_api: APIClient
) -> None:
    # given
    before = row_counts()
    # when
    response = owner_api.post("/api/opportunities/", {"name": "Big deal"})
    # then
    body = problem(response, 400, "validation_error")
    assert sorted(field_errors(body)) == [
        ("account", "required"),
        ("currency", "required"),
        ("pipeline", "required"),
        ("stage", "required"),
    ]
    assert row_counts() == before


def test_unknown_choice_is_refused(personas: Personas, owner_api: APIClient) -> None:
    # given
    before = row_counts()
    # when
    response = owner_api.post("/api/accounts/", {"name": "Acme", "lifecycle_stage": "vip"})
    # then
    body = problem(response, 400, "validation_error")
    assert body["errors"] == [
        {
            "field": "lifecycle_stage",
            "code": "invalid_choice",
            "message": '"vip" is not a valid choice.',
        }
    ]
    assert row_counts() == before


def test_unknown_choice_on_update_changes_nothing(personas: Personas, owner_api: APIClient) -> None:
    # given
    account = AccountFactory(owner=personas.owner, lifecycle_stage="prospect")
    before = row_counts()
    # when
    response = owner_api.patch(f"/api/accounts/{account.pk}/", {"lifecycle_stage": "vip"})
    # then
    body = problem(response, 400, "validation_error")
    assert field_errors(body) == [("lifecycle_stage", "invalid_choice")]
    account.refresh_from_db()
    assert account.lifecycle_stage == "prospect"
    assert row_counts() == before


# --- references ---------------------------------------------------------------------------------


def _opportunity_payload(account: Account, stage: Any) -> dict[str, Any]:
    return {
        "name": "Big deal",
        "account": account.pk,
        "pipeline": stage.pipeline_id,
        "stage": stage.pk,
        "currency": currency("USD").pk,
        "amount": "1000.00",
    }


def test_reference_to_a_record_the_user_cannot_see_is_refused(
    personas: Personas, owner_api: APIClient
) -> None:
    # given another user's private account
    hidden = AccountFactory(owner=personas.other)
    stage = StageFactory()
    before = row_counts()
    # when
    response = owner_api.post("/api/opportunities/", _opportunity_payload(hidden, stage))
    # then the answer is the same as for a missing record
    body = problem(response, 400, "validation_error")
    assert body["errors"] == [
        {
            "field": "account",
            "code": "does_not_exist",
            "message": f'Invalid pk "{hidden.pk}" - object does not exist.',
        }
    ]
    assert row_counts() == before


def test_stage_of_another_pipeline_is_refused(personas: Personas, owner_api: APIClient) -> None:
    # given
    account = AccountFactory(owner=personas.owner)
    stage = StageFactory()
    foreign_stage = StageFactory(name="Elsewhere")
    payload = {**_opportunity_payload(account, stage), "stage": foreign_stage.pk}
    before = row_counts()
    # when
    response = owner_api.post("/api/opportunities/", payload)
    # then
    body = problem(response, 400, "validation_error")
    assert body["errors"] == [
        {
            "field": "stage",
            "code": "stage_not_in_pipeline",
            "message": "The stage “Elsewhere” is not part of the opportunity's pipeline.",
        }
    ]
    assert row_counts() == before


def test_stage_of_another_pipeline_on_update_changes_nothing(
    personas: Personas, owner_api: APIClient
) -> None:
    # given
    account = AccountFactory(owner=personas.owner)
    stage = StageFactory()
    created = owner_api.post("/api/opportunities/", _opportunity_payload(account, stage))
    assert created.status_code == 201, created.content
    foreign_stage = StageFactory()
    before = row_counts()
    # when
    response = owner_api.patch(
        f"/api/opportunities/{created.json()['id']}/", {"stage": foreign_stage.pk}
    )
    # then
    body = problem(response, 400, "validation_error")
    assert field_errors(body) == [("stage", "stage_not_in_pipeline")]
    assert Opportunity.objects.get().stage_id == stage.pk
    assert row_counts() == before


# --- the body itself ----------------------------------------------------------------------------


def test_oversized_payload_is_413(personas: Personas, owner_api: APIClient) -> None:
    # given a body one byte over the limit
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert limit == 10 * 1024 * 1024
    head, tail = b'{"family_name": "', b'"}'
    body_bytes = head + b"a" * (limit + 1 - len(head) - len(tail)) + tail
    assert len(body_bytes) == limit + 1
    before = row_counts()
    # when
    response = owner_api.generic(
        "POST", "/api/contacts/", body_bytes, content_type="application/json"
    )
    # then
    body = problem(response, 413, "payload_too_large")
    assert body["detail"] == f"The request body is larger than {limit} bytes."
    assert row_counts() == before


def test_malformed_json_is_refused(personas: Personas, owner_api: APIClient) -> None:
    # given
    before = row_counts()
    # when
    response = owner_api.generic(
        "POST", "/api/contacts/", b'{"family_name": "Lovelace",}', content_type="application/json"
    )
    # then
    body = problem(response, 400, "malformed_json")
    assert body["detail"] == (
        "Malformed JSON: Expecting property name enclosed in double quotes at line 1 column 28."
    )
    assert row_counts() == before


def test_invalid_utf8_is_refused(personas: Personas, owner_api: APIClient) -> None:
    # given a Latin-1 "é" where UTF-8 is required
    before = row_counts()
    # when
    response = owner_api.generic(
        "POST", "/api/contacts/", b'{"family_name": "Ren\xe9"}', content_type="application/json"
    )
    # then
    body = problem(response, 400, "invalid_utf8")
    assert body["detail"] == "The request body is not valid UTF-8 (byte 20)."
    assert row_counts() == before


def test_unsupported_media_type_is_refused(personas: Personas, owner_api: APIClient) -> None:
    # given
    before = row_counts()
    # when
    response = owner_api.generic(
        "POST",
        "/api/contacts/",
        b"family_name=Lovelace",
        content_type="application/x-www-form-urlencoded",
    )
    # then
    problem(response, 415, "unsupported_media_type")
    assert row_counts() == before


# --- bulk ---------------------------------------------------------------------------------------


def test_bulk_with_one_bad_row_writes_nothing(personas: Personas, owner_api: APIClient) -> None:
    # given five rows, the third without its family name
    rows: list[dict[str, Any]] = [{"family_name": f"Row {i}"} for i in range(5)]
    rows[2] = {"given_name": "Nameless"}
    before = row_counts()
    # when
    response = owner_api.post("/api/contacts/bulk/", rows)
    # then
    body = problem(response, 400, "validation_error")
    assert body["errors"] == [
        {"field": "2.family_name", "code": "required", "message": "This field is required."}
    ]
    assert row_counts() == before


def test_bulk_with_a_row_refused_by_a_domain_rule_writes_nothing(
    personas: Personas, owner_api: APIClient
) -> None:
    # given rows 0-2 valid, row 3 refused only by the service (after rows 0-2 were saved)
    rows: list[dict[str, Any]] = [{"family_name": f"Lead {i}"} for i in range(4)]
    rows[3] = {"family_name": "Gone", "status": "disqualified"}
    before = row_counts()
    # when
    response = owner_api.post("/api/leads/bulk/", rows)
    # then
    body = problem(response, 400, "validation_error")
    assert field_errors(body) == [("3.disqualified_reason", "required")]
    assert row_counts() == before


def test_bulk_update_of_an_invisible_record_writes_nothing(
    personas: Personas, owner_api: APIClient
) -> None:
    # given
    mine = AccountFactory(owner=personas.owner, name="Mine")
    hidden = AccountFactory(owner=personas.other, name="Hidden")
    before = row_counts()
    # when
    response = owner_api.patch(
        "/api/accounts/bulk/",
        [{"id": mine.pk, "name": "Mine renamed"}, {"id": hidden.pk, "name": "Taken"}],
    )
    # then
    body = problem(response, 400, "validation_error")
    assert field_errors(body) == [("1.id", "invalid")]
    assert sorted(Account.objects.values_list("name", flat=True)) == ["Hidden", "Mine"]
    assert row_counts() == before


def test_bulk_over_the_limit_is_refused(personas: Personas, owner_api: APIClient) -> None:
    # given
    limit = settings.RAPPORT_BULK_MAX
    assert limit == 1000
    rows = [{"family_name": f"Row {i}"} for i in range(limit + 1)]
    before = row_counts()
    # when
    response = owner_api.post("/api/contacts/bulk/", rows)
    # then
    body = problem(response, 400, "validation_error")
    assert body["errors"] == [
        {"field": "", "code": "bulk_size", "message": "Send between 1 and 1000 records."}
    ]
    assert row_counts() == before


def test_bulk_that_is_not_a_list_is_refused(personas: Personas, owner_api: APIClient) -> None:
    # given
    before = row_counts()
    # when
    response = owner_api.post("/api/contacts/bulk/", {"family_name": "Alone"})
    # then
    body = problem(response, 400, "validation_error")
    assert field_errors(body) == [("", "not_a_list")]
    assert row_counts() == before


# --- unknown URLs -------------------------------------------------------------------------------


def test_unknown_api_url_is_a_404_problem(personas: Personas, owner_api: APIClient) -> None:
    # when
    response = owner_api.get("/api/no-such-thing/")
    # then
    body = problem(response, 404, "not_found")
    assert body["title"] == "Not found"


def test_unknown_api_url_for_a_write_writes_nothing(
    personas: Personas, owner_api: APIClient
) -> None:
    # given
    before = row_counts()
    # when
    response = owner_api.post("/api/contacts/not-a-number/", {"family_name": "X"})
    # then
    problem(response, 404, "not_found")
    assert row_counts() == before


def test_missing_record_is_a_404_problem(personas: Personas, owner_api: APIClient) -> None:
    # given another user's private account: the same answer as a missing one
    hidden = AccountFactory(owner=personas.other)
    before = row_counts()
    # when
    missing = owner_api.get("/api/accounts/999999/")
    forbidden = owner_api.patch(f"/api/accounts/{hidden.pk}/", {"name": "Mine now"})
    # then
    assert problem(missing, 404, "not_found") == problem(forbidden, 404, "not_found")
    assert row_counts() == before


# --- domain rules -------------------------------------------------------------------------------


def test_disqualified_lead_without_reason_is_refused(
    personas: Personas, owner_api: APIClient
) -> None:
    # given
    before = row_counts()
    # when
    response = owner_api.post("/api/leads/", {"family_name": "Smith", "status": "disqualified"})
    # then
    body = problem(response, 400, "validation_error")
    assert body["errors"] == [
        {
            "field": "disqualified_reason",
            "code": "required",
            "message": "Give the reason when disqualifying a lead.",
        }
    ]
    assert row_counts() == before


# --- custom fields ------------------------------------------------------------------------------


def test_unknown_custom_field_is_refused(personas: Personas, owner_api: APIClient) -> None:
    # given
    CustomFieldFactory(record_type="contacts", name="budget", field_type="integer")
    before = row_counts()
    # when
    response = owner_api.post(
        "/api/contacts/", {"family_name": "Lovelace", "custom_fields": {"budgett": 5}}
    )
    # then
    body = problem(response, 400, "validation_error")
    assert body["errors"] == [
        {
            "field": "custom_fields.budgett",
            "code": "unknown_field",
            "message": "There is no custom field of this name.",
        }
    ]
    assert row_counts() == before


def test_custom_fields_that_are_not_an_object_are_refused(
    personas: Personas, owner_api: APIClient
) -> None:
    # given
    before = row_counts()
    # when
    response = owner_api.post(
        "/api/contacts/", {"family_name": "Lovelace", "custom_fields": ["budget", 5]}
    )
    # then
    body = problem(response, 400, "validation_error")
    assert field_errors(body) == [("custom_fields", "invalid_type")]
    assert row_counts() == before


_DEFINITIONS: dict[str, dict[str, Any]] = {
    "text": {},
    "long_text": {},
    "integer": {},
    "decimal": {},
    "money": {},
    "date": {},
    "datetime": {},
    "boolean": {},
    "choice": {"choices": ["red", "green"]},
    "multiple_choice": {"choices": ["red", "green"]},
    "url": {},
    "email": {},
    "phone": {},
    "reference": {"reference_type": "accounts"},
}

# (field type, bad value, expected code); "$hidden" stands for another user's private account.
_BAD_VALUES: list[tuple[str, Any, str]] = [
    ("text", 42, "invalid_type"),
    ("text", "x" * 256, "max_length"),
    ("text", "nul\x00byte", "null_characters_not_allowed"),
    ("long_text", ["a", "b"], "invalid_type"),
    ("long_text", "nul\x00byte", "null_characters_not_allowed"),
    ("integer", "many", "invalid_type"),
    ("integer", 1.5, "invalid_type"),
    ("integer", True, "invalid_type"),
    ("integer", 10**20, "max_whole_digits"),
    ("integer", "-100000000000000000000", "max_whole_digits"),
    ("decimal", "twelve", "invalid_type"),
    ("decimal", "NaN", "invalid_type"),
    ("decimal", "1e-11", "max_decimal_places"),
    ("decimal", "1e400", "max_whole_digits"),
    ("money", "12,50", "invalid_type"),
    ("money", {"amount": 1}, "invalid_type"),
    ("money", "123456789012345678901.5", "max_whole_digits"),
    ("date", "31/12/2024", "invalid_date"),
    ("date", "2024-02-30", "invalid_date"),
    ("date", 20240101, "invalid_date"),
    ("datetime", "yesterday", "invalid_datetime"),
    ("datetime", "2024-02-30T10:00:00Z", "invalid_datetime"),
    ("boolean", "yes", "invalid_type"),
    ("boolean", 1, "invalid_type"),
    ("choice", "purple", "invalid_choice"),
    ("choice", ["red"], "invalid_choice"),
    ("multiple_choice", ["red", "purple"], "invalid_choice"),
    ("multiple_choice", "red", "invalid_choice"),
    ("url", "not a url", "invalid_url"),
    ("url", 7, "invalid_url"),
    ("email", "not-an-email", "invalid_email"),
    ("email", ["a@example.com"], "invalid_email"),
    ("phone", "12", "invalid_phone"),
    ("phone", "call me", "invalid_phone"),
    ("reference", "$hidden", "does_not_exist"),
    ("reference", 999999, "does_not_exist"),
    ("reference", "one", "invalid_type"),
]


@pytest.mark.parametrize(
    ("field_type", "value", "code"),
    _BAD_VALUES,
    ids=[f"{t}-{i}" for i, (t, _v, _c) in enumerate(_BAD_VALUES)],
)
def test_custom_field_bad_value_is_refused(
    personas: Personas, owner_api: APIClient, field_type: str, value: Any, code: str
) -> None:
    # given a field of this type on contacts, and a contact to update
    CustomFieldFactory(
        record_type="contacts", name="extra", field_type=field_type, **_DEFINITIONS[field_type]
    )
    if value == "$hidden":
        value = AccountFactory(owner=personas.other).pk
    created = owner_api.post("/api/contacts/", {"family_name": "Lovelace"})
    assert created.status_code == 201, created.content
    contact_id = created.json()["id"]
    before = row_counts()
    # when created or updated with a bad value
    on_create = owner_api.post(
        "/api/contacts/", {"family_name": "Byron", "custom_fields": {"extra": value}}
    )
    on_update = owner_api.patch(f"/api/contacts/{contact_id}/", {"custom_fields": {"extra": value}})
    # then both are refused with the same field and code
    for response in (on_create, on_update):
        body = problem(response, 400, "validation_error")
        assert field_errors(body) == [("custom_fields.extra", code)]
        assert body["errors"][0]["message"]
    assert row_counts() == before
    assert Contact.objects.get(pk=contact_id).custom_fields == {}
