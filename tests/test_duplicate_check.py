"""``POST /api/<contacts|leads>/duplicates/``: candidates before saving, only visible ones."""

from conftest import client_for


def _contact(client, given, family, email="", phone=""):
    body = {"given_name": given, "family_name": family}
    if email:
        body["emails"] = [{"email": email}]
    if phone:
        body["phones"] = [{"number": phone}]
    response = client.post("/api/contacts/", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def test_same_email_and_similar_name_is_a_candidate_with_reasons(personas):
    client = client_for(personas.owner)
    existing = _contact(client, "William", "Gates", "bill@example.com", "+1 202 555 0143")
    _contact(client, "Ada", "Lovelace", "ada@example.com")

    response = client.post(
        "/api/contacts/duplicates/",
        {"given_name": "Bill", "family_name": "Gates", "emails": [{"email": "BILL@example.com"}]},
        format="json",
    )

    assert response.status_code == 200
    candidates = response.json()
    assert [c["record_id"] for c in candidates] == [existing]
    assert candidates[0]["score"] >= 0.65
    assert "same email" in candidates[0]["reasons"]


def test_chinese_name_in_pinyin_is_found(personas):
    client = client_for(personas.owner)
    existing = _contact(client, "小明", "王", phone="+86 138 0013 8000")

    candidates = client.post(
        "/api/contacts/duplicates/",
        {"given_name": "Xiaoming", "family_name": "Wang", "phones": [{"number": "13800138000"}]},
        format="json",
    ).json()

    assert [c["record_id"] for c in candidates] == [existing]


def test_records_the_user_may_not_see_are_not_offered(personas):
    _contact(client_for(personas.other), "Grace", "Hopper", "grace@example.com")

    candidates = (
        client_for(personas.owner)
        .post(
            "/api/contacts/duplicates/",
            {
                "given_name": "Grace",
                "family_name": "Hopper",
                "emails": [{"email": "grace@example.com"}],
            },
            format="json",
        )
        .json()
    )

    assert candidates == []


def test_the_record_being_edited_is_excluded(personas):
    client = client_for(personas.owner)
    existing = _contact(client, "Marie", "Curie", "marie@example.com")

    candidates = client.post(
        f"/api/contacts/duplicates/?exclude={existing}",
        {"given_name": "Marie", "family_name": "Curie", "emails": [{"email": "marie@example.com"}]},
        format="json",
    ).json()

    assert candidates == []


def test_leads_are_checked_against_leads(personas):
    client = client_for(personas.owner)
    lead = client.post(
        "/api/leads/", {"given_name": "Alan", "family_name": "Turing", "email": "alan@example.com"}
    ).json()["id"]

    candidates = client.post(
        "/api/leads/duplicates/", {"family_name": "Turing", "email": "Alan@Example.com"}
    ).json()

    assert [c["record_id"] for c in candidates] == [lead]


def test_bad_input_is_refused(personas):
    client = client_for(personas.owner)

    not_object = client.post("/api/contacts/duplicates/", [1, 2], format="json")
    bad_exclude = client.post("/api/contacts/duplicates/?exclude=x", {}, format="json")

    assert not_object.status_code == 400
    assert bad_exclude.status_code == 400
    assert bad_exclude.json()["errors"][0]["field"] == "exclude"
