"""Merging two records as users ask for it: the framework merge, and the review queue told."""

from __future__ import annotations

from django.db import models, transaction

from rapport.dedupe.services import duplicate_pairs_merged
from rapport.framework.actor import Actor
from rapport.framework.merge import MergeResult, record_merge
from rapport.framework.registry import RecordType


@transaction.atomic
def records_merge(
    *,
    actor: Actor,
    record_type: RecordType,
    survivor: models.Model,
    other: models.Model,
    keep: dict[str, str] | None = None,
) -> MergeResult:
    """Merge ``other`` into ``survivor`` and close their pair in the duplicate review queue."""
    survivor_id, other_id = survivor.pk, other.pk
    result = record_merge(
        actor=actor, record_type=record_type, survivor=survivor, other=other, keep=keep
    )
    duplicate_pairs_merged(
        user=actor.user, record_type=record_type.key, survivor_id=survivor_id, other_id=other_id
    )
    return result
