"""The change log stays append-only for everyone; only ``changelog_anonymise`` rewrites it."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from conftest import Personas
from rapport.contacts.models import Contact
from rapport.core.models import AppendOnlyError, ChangeLogEntry
from rapport.core.services import changelog_anonymise
from rapport.privacy.tests.helpers import contact_via_api

pytestmark = pytest.mark.django_db


def test_normal_paths_still_raise(personas: Personas) -> None:
    contact_via_api(personas)
    entry = ChangeLogEntry.objects.get()
    snapshot = list(ChangeLogEntry.objects.values())
    with pytest.raises(AppendOnlyError):
        ChangeLogEntry.objects.filter(pk=entry.pk).update(object_repr="x")
    with pytest.raises(AppendOnlyError):
        ChangeLogEntry.objects.all().delete()
    entry.object_repr = "x"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    assert list(ChangeLogEntry.objects.values()) == snapshot


def test_anonymise_rewrites_only_the_named_record(personas: Personas) -> None:
    # given two contacts with their creation rows
    ada = contact_via_api(personas)
    other = contact_via_api(personas, given_name="Charles", family_name="Babbage", emails=[])
    other_rows = list(ChangeLogEntry.objects.filter(object_id=str(other.pk)).values())
    # when Ada's rows are anonymised
    count = changelog_anonymise(
        content_type=ContentType.objects.get_for_model(Contact),
        object_id=ada.pk,
        fields={"given_name": "", "family_name": "X"},
        scrub=["ada@engines.example"],
        replacement="[erased]",
        object_repr="X",
    )
    # then
    assert count == 1
    row = ChangeLogEntry.objects.get(object_id=str(ada.pk))
    assert row.after is not None
    assert (row.after["given_name"], row.after["family_name"], row.object_repr) == ("", "X", "X")
    assert row.after["emails"][0]["email"] == "[erased]"
    assert row.after["city"] == "London"  # not named, not scrubbed
    assert list(ChangeLogEntry.objects.filter(object_id=str(other.pk)).values()) == other_rows
