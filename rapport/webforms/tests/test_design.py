"""Designing a web form: through the API and the generated screens, with validation."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conftest import client_for
from rapport.core.models import CustomFieldDefinition
from rapport.webforms.models import WebForm
from rapport.webforms.tests.factories import CONSENTS, FIELDS, THANK_YOU, create_payload

pytestmark = pytest.mark.django_db


def test_admin_designs_a_form_through_the_api(personas: Any) -> None:
    # given an administrator and a custom field of leads
    CustomFieldDefinition.objects.create(
        record_type="leads", name="budget", label="Budget", field_type="text"
    )
    payload = create_payload(personas.owner)
    payload["fields"] = [
        *FIELDS,
        {"name": "cf.budget", "required": False, "label": {"en": "Budget", "zh-hans": "预算"}},
    ]
    payload["allowed_origins"] = ["https://www.example.com/", "http://localhost:8000"]
    # when they create the form
    response = client_for(personas.admin).post("/api/web-forms/", payload, format="json")
    # then it is stored as designed, origins reduced to scheme and host
    assert response.status_code == 201, response.json()
    form = WebForm.objects.get(pk=response.json()["id"])
    assert form.fields[-1]["name"] == "cf.budget"
    assert form.consents == CONSENTS
    assert form.allowed_origins == ["https://www.example.com", "http://localhost:8000"]
    assert form.lead_owner == personas.owner
    assert response.json()["fields"] == payload["fields"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"fields": [*FIELDS, {"name": "status", "label": {"en": "S", "zh-hans": "S"}}]},
            "fields",
            "Field 8 (status): not a lead field a form may ask for; choose from salutation, "
            "given_name, family_name, email, phone, job_title, company, website, industry, "
            "employee_count, city, region, country, description or cf.<custom field>.",
        ),
        (
            {"fields": [*FIELDS, {"name": "cf.nope", "label": {"en": "N", "zh-hans": "N"}}]},
            "fields",
            "Field 8 (cf.nope): there is no custom field of leads named nope.",
        ),
        (
            {"fields": [{**FIELDS[0], "label": {"en": "First name"}}, *FIELDS[1:]]},
            "fields",
            "Field 1 (given_name): give the label in zh-hans.",
        ),
        (
            {"fields": [f for f in FIELDS if f["name"] != "family_name"]},
            "fields",
            "A lead needs a family name: add family_name as a required field.",
        ),
        (
            {"consents": [{**CONSENTS[0], "purpose": "spamming"}]},
            "consents",
            "Consent 1: purpose must be one of marketing_email, phone_calls, profiling, "
            "partner_sharing, other.",
        ),
        (
            {"thank_you": {"en": "Thanks"}},
            "thank_you",
            "Give the thank-you text in zh-hans, or a redirect URL instead.",
        ),
        (
            {"redirect_url": "javascript:alert(1)"},
            "redirect_url",
            ["Use an address starting with http:// or https://.", "Enter a valid URL."],
        ),
        (
            {"redirect_url": "ftp://example.com/thanks"},
            "redirect_url",
            "Use an address starting with http:// or https://.",
        ),
        (
            {"allowed_origins": ["https://example.com; script-src *"]},
            "allowed_origins",
            "'https://example.com; script-src *' is not an origin; write it as "
            "https://www.example.com.",
        ),
        ({"fields": "not json ["}, "fields", "Not valid JSON: Expecting value (line 1, column 1)."),
    ],
)
def test_a_badly_designed_form_is_refused_with_a_message(
    personas: Any, change: dict[str, Any], field: str, message: str | list[str]
) -> None:
    # given a payload with one mistake
    payload = {**create_payload(personas.owner), **change}
    # when an administrator sends it
    response = client_for(personas.admin).post("/api/web-forms/", payload, format="json")
    # then it is refused naming the field, and nothing is stored
    assert response.status_code == 400
    errors = [(e["field"], e["message"]) for e in response.json()["errors"]]
    assert errors == [(field, m) for m in ([message] if isinstance(message, str) else message)]
    assert WebForm.objects.count() == 0


def test_a_non_admin_cannot_design_a_form(personas: Any) -> None:
    # when a sales rep tries to create a form, then it is forbidden and nothing is stored
    response = client_for(personas.owner).post(
        "/api/web-forms/", create_payload(personas.owner), format="json"
    )
    assert response.status_code == 403
    assert WebForm.objects.count() == 0


def test_the_generated_screens_edit_the_lists_as_json_text(client: Any, personas: Any) -> None:
    # given an administrator signed in
    client.post("/login/", {"username": "admin", "password": "pw"})
    post = {
        "name": "Demo request",
        "slug": "demo-request",
        "active": "on",
        "fields": json.dumps(FIELDS, ensure_ascii=False),
        "consents": json.dumps(CONSENTS, ensure_ascii=False),
        "thank_you": json.dumps(THANK_YOU, ensure_ascii=False),
        "redirect_url": "",
        "allowed_origins": "",
        "lead_owner": str(personas.owner.pk),
        "lead_team": "",
    }
    # when they send the generated create form with broken JSON in the fields list
    broken = client.post("/web-forms/new/", {**post, "fields": '[{"name": "email",}]'})
    # then the form comes back with the message beside the field, nothing stored
    assert broken.status_code == 400
    assert "Not valid JSON" in broken.content.decode()
    assert WebForm.objects.count() == 0
    # when they send it with valid JSON
    created = client.post("/web-forms/new/", post)
    # then the form is stored, and its edit screen shows the lists as JSON text
    assert created.status_code == 302
    form = WebForm.objects.get(slug="demo-request")
    assert form.fields == FIELDS
    edit = client.get(f"/web-forms/{form.pk}/edit/").content.decode()
    assert "&quot;family_name&quot;" in edit
    assert "电子邮件" in edit
