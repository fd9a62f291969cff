"""Query-count budgets: the list and retrieve endpoints of every record type issue a fixed
number of queries, whatever the number of rows (no N+1).

Budgets are exact and per record type; a change to a serializer or a declaration that adds a
query must update the table here, on purpose. Counted as a restricted user (the owner), so the
access-context queries are included: teams, subordinate roles and users, object permissions,
shared record types, sharing defaults.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType

from rapport.framework.registry import record_types
from rapport.framework.testing.access import api_as, detail_url, list_url
from rapport.framework.testing.specs import OwnedRecordSpec, all_keys, spec_for

pytestmark = pytest.mark.django_db

# Restricted users pay 5 queries for their access context (teams, roles, object permissions,
# shared record types, sharing defaults); configuration is read without one.
ACCESS_CONTEXT = 5
# Lists are read by the page reader: one query for the page, one per many-to-many field; nested
# lists only with ?expand=. A single record has every nested list, one query each.
LIST_BUDGET = {
    "accounts": ACCESS_CONTEXT + 2,  # accounts, tags
    "contacts": ACCESS_CONTEXT + 2,  # contacts, tags
    "leads": ACCESS_CONTEXT + 2,  # leads, tags
    "opportunities": ACCESS_CONTEXT + 2,  # opportunities, tags
    "activities": ACCESS_CONTEXT + 4,  # activities, tags, participant users and contacts
    "pipelines": 1,
    "stages": 1,
    "currencies": 1,
    "exchange-rates": 1,
    "tags": 1,
    "custom-fields": 1,
    "web-forms": 1,
    "tax-rates": 1,
    "products": 1,
    "price-books": 1,
    "price-book-entries": 1,
    "quotes": ACCESS_CONTEXT + 2,  # quotes, tags
    "orders": ACCESS_CONTEXT + 2,  # orders, tags
    "scoring-rules": 1,
    "assignment-rules": 1,
    "close-reasons": 1,
    "competitors": 1,
    "quotas": 1,
}
RETRIEVE_BUDGET = {
    **LIST_BUDGET,
    "contacts": ACCESS_CONTEXT + 5,  # + emails, phones, memberships with their accounts
    "quotes": ACCESS_CONTEXT + 3,  # + lines
    "orders": ACCESS_CONTEXT + 3,  # + lines
    "opportunities": ACCESS_CONTEXT + 6,  # + contact roles, competitors, lines, stage history
}


@pytest.fixture(autouse=True)
def _content_types_cached(db: None) -> None:
    """Content types are cached for the life of a process; warm the cache so that the count
    does not depend on which test ran first."""
    for rt in record_types():
        ContentType.objects.get_for_model(rt.model)


@pytest.fixture(params=all_keys())
def key(request: Any) -> str:
    if request.param not in LIST_BUDGET or request.param not in RETRIEVE_BUDGET:
        pytest.fail(f"record type {request.param!r} has no query budget in {__file__}")
    return request.param


def _build_rows(key: str, personas: Any, n: int) -> list[Any]:
    spec = spec_for(key)
    if isinstance(spec, OwnedRecordSpec):
        return [spec.build(owner=personas.owner, team=personas.team) for _ in range(n)]
    return [spec.build() for _ in range(n)]


def test_list_budget_is_the_same_for_5_and_50_rows(
    key: str, personas: Any, django_assert_num_queries: Any
) -> None:
    # given 5 rows with their tags, children and related rows
    rows = _build_rows(key, personas, 5)
    client = api_as(personas.owner)
    # when the owner lists them, then the budget holds
    with django_assert_num_queries(LIST_BUDGET[key]):
        first = client.get(list_url(key), {"limit": 200})
    assert first.status_code == 200
    # and with 50 rows, the same budget (a fresh client: nothing cached from the first call)
    rows += _build_rows(key, personas, 45)
    client = api_as(personas.owner)
    with django_assert_num_queries(LIST_BUDGET[key]):
        second = client.get(list_url(key), {"limit": 200})
    assert second.status_code == 200
    listed = {row[k] for row in second.json()["results"] for k in ("id", "code") if k in row}
    if isinstance(spec_for(key), OwnedRecordSpec):
        assert listed == {r.pk for r in rows}
    else:  # configuration also holds seeded rows (currencies)
        assert listed >= {r.pk for r in rows}


def test_retrieve_budget(key: str, personas: Any, django_assert_num_queries: Any) -> None:
    [record] = _build_rows(key, personas, 1)
    client = api_as(personas.owner)
    with django_assert_num_queries(RETRIEVE_BUDGET[key]):
        response = client.get(detail_url(key, record.pk))
    assert response.status_code == 200
