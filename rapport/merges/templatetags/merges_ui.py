"""What the record page's merge actions need: whether the record type can be merged, and
the merge just made into this record that the user may undo."""

from __future__ import annotations

from typing import Any

from django import template
from django.db import models

from rapport.framework.registry import RecordType
from rapport.merges.models import MergeRecord
from rapport.merges.views import undo_offer

register = template.Library()


@register.simple_tag
def mergeable(rt: RecordType) -> bool:
    return rt.merge_related is not None


@register.simple_tag(takes_context=True)
def merge_to_undo(context: dict[str, Any], record: models.Model) -> MergeRecord | None:
    """The merge named by ``?merged=`` after a merge, if it was into ``record`` and the user
    may still undo it."""
    request = context.get("request")
    if request is None:
        return None
    return undo_offer(request.user, record, request.GET.get("merged", ""))
