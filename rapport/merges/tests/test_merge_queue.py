"""A merge closes the two records' pair in the duplicate review queue, and only that pair."""

from conftest import client_for
from rapport.dedupe.choices import DuplicatePairStatus
from rapport.dedupe.models import DuplicatePair
from rapport.framework.testing.factories import ContactFactory


def test_merge_marks_the_pair_merged_and_leaves_others_open(personas):
    first, second, third = (ContactFactory(owner=personas.owner) for _ in range(3))
    merged_pair = DuplicatePair.objects.create(
        record_type="contacts", left_id=first.pk, right_id=second.pk, score=0.9
    )
    other_pair = DuplicatePair.objects.create(
        record_type="contacts", left_id=second.pk, right_id=third.pk, score=0.8
    )

    response = client_for(personas.owner).post(
        f"/api/contacts/{second.pk}/merge/", {"other": first.pk}, format="json"
    )

    assert response.status_code == 200, response.json()
    merged_pair.refresh_from_db()
    other_pair.refresh_from_db()
    assert (merged_pair.status, merged_pair.reviewed_by_id) == (
        DuplicatePairStatus.MERGED,
        personas.owner.pk,
    )
    assert other_pair.status == DuplicatePairStatus.OPEN


def test_a_refused_merge_leaves_the_pair_open(personas):
    mine = ContactFactory(owner=personas.owner)
    theirs = ContactFactory(owner=personas.other)
    pair = DuplicatePair.objects.create(
        record_type="contacts",
        left_id=min(mine.pk, theirs.pk),
        right_id=max(mine.pk, theirs.pk),
        score=0.9,
    )

    response = client_for(personas.owner).post(
        f"/api/contacts/{mine.pk}/merge/", {"other": theirs.pk}, format="json"
    )

    assert response.status_code == 404
    pair.refresh_from_db()
    assert pair.status == DuplicatePairStatus.OPEN
