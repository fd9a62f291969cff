"""Search through the global endpoint and the list endpoints' ``?q=``."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from conftest import client_for
from rapport.framework.actor import Actor
from rapport.framework.registry import get_record_type
from rapport.framework.search import global_search, search_reindex
from rapport.framework.services import record_delete, record_update
from rapport.search.models import SearchEntry, SearchPhone
from rapport.search.tests.conftest import create

pytestmark = pytest.mark.django_db


def titles(user: Any, query: str, **kw: Any) -> list[str]:
    return [h.title for h in global_search(user=user, query=query, **kw)]


def test_typo_in_name_finds_the_contact(personas, make_contact):
    # Given
    make_contact("John", "Smith")
    make_contact("Mary", "Jones")
    # When / then
    assert titles(personas.owner, "Jonh Smith") == ["John Smith"]
    assert titles(personas.owner, "john smth") == ["John Smith"]


def test_name_prefix_ranks_the_prefix_match_first(personas, make_contact):
    make_contact("Joanna", "Smith")
    make_contact("Jo", "Anders")
    make_contact("Anna", "Jollyfield")
    assert titles(personas.owner, "Jo")[:1] == ["Jo Anders"]
    assert titles(personas.owner, "joa") == ["Joanna Smith"]


@pytest.mark.parametrize(
    "query", ["王小明", "小明", "王", "wang xiaoming", "xiaoming", "Wang Xiaoming"]
)
def test_chinese_name_by_characters_and_pinyin(personas, make_contact, query):
    make_contact("小明", "王")
    make_contact("晓红", "李")
    assert titles(personas.owner, query) == ["王小明"]


@pytest.mark.parametrize(
    "query", ["+1 202-555-0143", "2025550143", "(202) 555 0143", "555-0143", "+12025550143"]
)
def test_phone_in_any_format(personas, make_contact, query):
    make_contact("Ada", "Lovelace", phones=("202.555.0143",))
    make_contact("Alan", "Turing", phones=("+44 20 7946 0018",))
    hits = global_search(user=personas.owner, query=query)
    assert [h.title for h in hits] == ["Ada Lovelace"]


def test_phone_of_another_country_by_national_digits(personas, make_contact):
    make_contact("Alan", "Turing", phones=("+44 20 7946 0018",))
    assert titles(personas.owner, "7946 0018") == ["Alan Turing"]
    assert titles(personas.owner, "+44 20 7946 0018") == ["Alan Turing"]


def test_email_whole_or_part(personas, make_contact):
    make_contact("Ada", "Lovelace", emails=("ada@analytical.example", "countess@lovelace.example"))
    make_contact("Alan", "Turing", emails=("alan@bletchley.example",))
    assert titles(personas.owner, "ada@analytical.example") == ["Ada Lovelace"]
    assert titles(personas.owner, "countess@") == ["Ada Lovelace"]


def test_contact_found_by_its_account_and_lead_by_its_company(personas, make_contact):
    account = create(personas.owner, "accounts", {"name": "Globex Corporation"})
    make_contact("Hank", "Scorpio", account=account)
    create(
        personas.owner,
        "leads",
        {"given_name": "Lisa", "family_name": "Simpson", "company": "Globex Hardware"},
    )
    hits = global_search(user=personas.owner, query="globex")
    assert sorted((h.record_type, h.title) for h in hits) == [
        ("accounts", "Globex Corporation"),
        ("contacts", "Hank Scorpio"),
        ("leads", "Lisa Simpson"),
    ]
    assert titles(personas.owner, "globex", types=["contacts"]) == ["Hank Scorpio"]


def test_renaming_the_account_reindexes_its_contacts(personas, make_contact):
    account = create(personas.owner, "accounts", {"name": "Initech"})
    make_contact("Peter", "Gibbons", account=account)
    record_update(
        actor=Actor(user=personas.owner),
        record_type=get_record_type("accounts"),
        record=account,
        data={"name": "Initrode"},
    )
    assert titles(personas.owner, "initrode", types=["contacts"]) == ["Peter Gibbons"]
    assert titles(personas.owner, "initech", types=["contacts"]) == []


def test_another_users_private_contact_is_not_found(personas, make_contact):
    make_contact("Secret", "Agent", user=personas.other, phones=("202 555 0199",))
    make_contact("Secret", "Squirrel")
    assert titles(personas.owner, "secret") == ["Secret Squirrel"]
    assert titles(personas.owner, "555 0199") == []
    assert titles(personas.other, "secret") == ["Secret Agent"]
    assert sorted(titles(personas.manager, "secret")) == ["Secret Agent", "Secret Squirrel"]


def test_index_follows_update_and_delete(personas, make_contact):
    contact = make_contact("Grace", "Hopper", phones=("202 555 0100",))
    rt = get_record_type("contacts")
    actor = Actor(user=personas.owner)
    record_update(
        actor=actor,
        record_type=rt,
        record=contact,
        data={"family_name": "Murray"},
        children={"phones": [{"number": "202 555 0111"}]},
    )
    assert titles(personas.owner, "hopper") == []
    assert titles(personas.owner, "murray") == ["Grace Murray"]
    assert titles(personas.owner, "555 0100") == []
    assert titles(personas.owner, "555 0111") == ["Grace Murray"]
    record_delete(actor=actor, record_type=rt, record=contact)
    assert titles(personas.owner, "murray") == []
    assert not SearchEntry.objects.filter(record_type="contacts").exists()
    assert not SearchPhone.objects.exists()


def test_reindex_function_and_command_rebuild_the_index(personas, make_contact):
    make_contact("Ada", "Lovelace", emails=("ada@example.com",), phones=("202 555 0143",))
    create(personas.owner, "accounts", {"name": "Analytical Engines"})
    SearchEntry.objects.all().delete()
    SearchPhone.objects.all().delete()
    assert titles(personas.owner, "lovelace") == []
    assert search_reindex() == 2
    assert titles(personas.owner, "lovelace") == ["Ada Lovelace"]
    assert titles(personas.owner, "2025550143") == ["Ada Lovelace"]
    call_command("search_reindex", "--type", "contacts", "--batch-size", "1", stdout=None)
    assert SearchEntry.objects.count() == 2
    assert titles(personas.owner, "ada@example") == ["Ada Lovelace"]


def test_global_endpoint_returns_ranked_mixed_results(personas, make_contact):
    account = create(personas.owner, "accounts", {"name": "Smithers Ltd"})
    make_contact("Waylon", "Smithers", account=account)
    make_contact("Secret", "Smithers", user=personas.other)
    response = client_for(personas.owner).get(
        "/api/search/", {"q": "smithers", "types": "contacts,accounts", "limit": 20}
    )
    assert response.status_code == 200
    body = response.json()
    assert [(r["type"], r["title"]) for r in body] == [
        ("accounts", "Smithers Ltd"),
        ("contacts", "Waylon Smithers"),
    ]
    assert set(body[0]) == {"type", "id", "title", "subtitle", "score"}
    assert body[0]["score"] >= body[1]["score"]


def test_global_endpoint_refuses_unknown_types_and_anonymous(personas, api):
    response = client_for(personas.owner).get("/api/search/", {"q": "x", "types": "stages"})
    assert response.status_code == 400
    assert api.get("/api/search/", {"q": "x"}).status_code == 401


def test_list_endpoint_q_uses_the_index(personas, make_contact):
    make_contact("Ada", "Lovelace", phones=("202 555 0143",))
    make_contact("Alan", "Turing")
    make_contact("Ada", "Private", user=personas.other)
    client = client_for(personas.owner)
    for query in ("lovelace", "(202) 555-0143", "Ada Lovelaec"):
        response = client.get("/api/contacts/", {"q": query})
        assert response.status_code == 200
        assert [r["display_name"] for r in response.json()["results"]] == ["Ada Lovelace"]
    response = client.get("/api/contacts/", {"q": "ada"})
    assert [r["display_name"] for r in response.json()["results"]] == ["Ada Lovelace"]
