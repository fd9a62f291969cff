"""Sorting by id is offered only to record types keyed by an id: a currency (keyed by its
code) gets a clear refusal, not a server error."""

from __future__ import annotations

import pytest

from conftest import Personas, client_for

pytestmark = pytest.mark.django_db


def test_sorting_currencies_by_id_is_refused_clearly(personas: Personas) -> None:
    response = client_for(personas.owner).get("/api/currencies/?ordering=-id")
    assert response.status_code == 400
    assert [(e["field"], e["message"]) for e in response.json()["errors"]] == [
        ("ordering", "Cannot sort by: -id.")
    ]


def test_sorting_contacts_by_id_still_works(personas: Personas) -> None:
    assert client_for(personas.owner).get("/api/contacts/?ordering=-id").status_code == 200
