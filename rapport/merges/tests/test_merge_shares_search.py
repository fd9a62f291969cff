"""A merge carries the other record's shares to the survivor and refreshes the search entries
of the records it moved; undo puts both back."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from conftest import Personas, client_for
from rapport.accounts.models import Account
from rapport.contacts.models import Contact
from rapport.framework.search import global_search, search_reindex
from rapport.framework.testing.factories import AccountFactory, ContactFactory
from rapport.identity.choices import ShareLevel
from rapport.identity.models import RecordShare

pytestmark = pytest.mark.django_db


def _shares(model: type) -> list[tuple[int, int | None, int | None, str]]:
    content_type = ContentType.objects.get_for_model(model)
    rows = RecordShare.objects.filter(content_type=content_type).values_list(
        "object_id", "user_id", "team_id", "level"
    )
    # Sorted here: the databases put NULL ids first (SQLite) or last (PostgreSQL).
    return sorted(rows, key=lambda r: (r[0], r[1] or 0, r[2] or 0))


def test_shares_follow_the_merge_and_come_back_on_undo(personas: Personas) -> None:
    # given: the other contact is shared with "other" (read/write) and the team West (read);
    # the survivor is already shared with "other", read only
    owner = personas.owner
    survivor = ContactFactory(owner=owner, family_name="Lovelace")
    merged = ContactFactory(owner=owner, family_name="Lovelace")
    content_type = ContentType.objects.get_for_model(Contact)
    RecordShare.objects.create(
        content_type=content_type, object_id=survivor.pk, user=personas.other, level=ShareLevel.READ
    )
    RecordShare.objects.create(
        content_type=content_type,
        object_id=merged.pk,
        user=personas.other,
        level=ShareLevel.READ_WRITE,
    )
    RecordShare.objects.create(
        content_type=content_type, object_id=merged.pk, team=personas.other_team
    )
    before = _shares(Contact)
    # when
    response = client_for(owner).post(
        f"/api/contacts/{survivor.pk}/merge/", {"other": merged.pk}, format="json"
    )
    # then: one share per person or team, at the higher level, all on the survivor
    assert response.status_code == 200, response.content
    assert _shares(Contact) == [
        (survivor.pk, None, personas.other_team.pk, ShareLevel.READ),
        (survivor.pk, personas.other.pk, None, ShareLevel.READ_WRITE),
    ]
    assert (
        client_for(personas.other)
        .patch(f"/api/contacts/{survivor.pk}/", {"job_title": "Analyst"}, format="json")
        .status_code
        == 200
    )
    # and undo restores the shares exactly
    merge_id = response.json()["merge_id"]
    assert client_for(owner).post(f"/api/merges/{merge_id}/undo/").status_code == 200
    assert _shares(Contact) == before


def test_account_merge_refreshes_the_search_entries_of_moved_contacts(
    personas: Personas,
) -> None:
    # given: a contact found by its account's name
    owner = personas.owner
    survivor = AccountFactory(owner=owner, name="Zephyr Holdings")
    merged = AccountFactory(owner=owner, name="Quokka Trading")
    contact = ContactFactory(owner=owner, family_name="Nakamura", primary_account=merged)
    search_reindex()
    assert _subtitles(owner, "Nakamura") == {contact.pk: "Quokka Trading"}
    # when
    response = client_for(owner).post(
        f"/api/accounts/{survivor.pk}/merge/", {"other": merged.pk}, format="json"
    )
    # then
    assert response.status_code == 200, response.content
    assert not Account.objects.filter(pk=merged.pk).exists()
    assert _subtitles(owner, "Nakamura") == {contact.pk: "Zephyr Holdings"}
    # and after undo the contact is found under its old account again
    assert (
        client_for(owner).post(f"/api/merges/{response.json()['merge_id']}/undo/").status_code
        == 200
    )
    assert _subtitles(owner, "Nakamura") == {contact.pk: "Quokka Trading"}


def _subtitles(user: object, query: str) -> dict[int, str]:
    return {
        hit.record_id: hit.subtitle
        for hit in global_search(user=user, query=query, types=["contacts"])
    }
