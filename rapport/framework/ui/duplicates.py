"""Likely duplicates of a record about to be created, for the create form's warning.

Contacts and leads use the dedupe app's scoring (``person_duplicates``, the selector behind
``POST /api/<contacts|leads>/duplicates/``); accounts have no scored matcher, so an account is
a likely duplicate of a visible account with the same name, website domain or phone number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from rapport.accounts.selectors import account_duplicate_reasons, account_duplicates
from rapport.dedupe.reasons import reasons_label
from rapport.dedupe.selectors import person_duplicates

CHECKED_TYPES = ("contacts", "leads", "accounts")
CONFIRM_FIELD = "confirm_duplicates"


@dataclass(frozen=True)
class LikelyDuplicate:
    title: str
    url: str
    reasons: str


def likely_duplicates(*, user: Any, key: str, data: dict[str, Any]) -> list[LikelyDuplicate]:
    """Records of type ``key`` that ``user`` may see which ``data`` probably describes again,
    best first; empty for record types that are not checked."""
    if key == "accounts":
        return [
            LikelyDuplicate(
                str(a),
                reverse("ui:detail", kwargs={"key": key, "pk": a.pk}),
                account_duplicate_reasons(a, data),
            )
            for a in account_duplicates(user=user, data=data)
        ]
    if key not in ("contacts", "leads"):
        return []
    return [
        LikelyDuplicate(
            c.title,
            reverse("ui:detail", kwargs={"key": key, "pk": c.record_id}),
            reasons_label(c.reasons),
        )
        for c in person_duplicates(user=user, record_type=key, data=data)
    ]
