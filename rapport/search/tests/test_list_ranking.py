"""``?q=`` on a list endpoint: the best matches first unless another order is asked for."""

from typing import Any

from conftest import client_for


def test_list_search_shows_best_matches_first(personas: Any, make_contact: Any) -> None:
    for given, family in [("Bob", "Johnson"), ("Johnny", "Walker"), ("John", "Smith")]:
        make_contact(given, family)

    response = client_for(personas.owner).get("/api/contacts/?q=John Smith")

    names = [c["display_name"] for c in response.json()["results"]]
    assert names[0] == "John Smith"


def test_explicit_ordering_wins_over_relevance(personas: Any, make_contact: Any) -> None:
    for given, family in [("John", "Smith"), ("Johnny", "Adams"), ("John", "Baker")]:
        make_contact(given, family)

    response = client_for(personas.owner).get("/api/contacts/?q=John&ordering=family_name")

    names = [c["family_name"] for c in response.json()["results"]]
    assert names == sorted(names)
    assert len(names) == 3
