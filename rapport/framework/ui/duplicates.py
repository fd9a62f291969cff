"""Likely duplicates of a record about to be created, for the create form's warning.

Contacts and leads use the dedupe app's scoring (``person_duplicates``, the selector behind
``POST /api/<contacts|leads>/duplicates/``); accounts have no scored matcher, so an account is
a likely duplicate of a visible account with the same name, website domain or phone number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from rapport.accounts.models import Account
from rapport.dedupe.selectors import person_duplicates
from rapport.framework.base_models import restricted
from rapport.framework.text import phone_e164, website_domain

CHECKED_TYPES = ("contacts", "leads", "accounts")
CONFIRM_FIELD = "confirm_duplicates"


@dataclass(frozen=True)
class LikelyDuplicate:
    title: str
    url: str
    reasons: str


def account_duplicates(*, user: Any, data: dict[str, Any], limit: int = 10) -> list[Account]:
    """Accounts ``user`` may see with the same name (ignoring case), website domain or phone
    number as ``data`` (what would be sent to create one)."""
    name = str(data.get("name") or "").strip()
    domain = website_domain(str(data.get("website") or ""))
    phone = phone_e164(str(data.get("phone") or ""))
    match = Q(pk__in=[])
    if name:
        match |= Q(name__iexact=name)
    if domain:
        match |= Q(domain=domain)
    if phone:
        match |= Q(phone_e164=phone)
    return list(restricted(Account, user, "view").filter(match).order_by("name", "id")[:limit])


def _account_reasons(account: Account, data: dict[str, Any]) -> str:
    reasons = []
    if account.name.lower() == str(data.get("name") or "").strip().lower():
        reasons.append(_("same name"))
    if account.domain and account.domain == website_domain(str(data.get("website") or "")):
        reasons.append(_("same website"))
    if account.phone_e164 and account.phone_e164 == phone_e164(str(data.get("phone") or "")):
        reasons.append(_("same phone"))
    return ", ".join(reasons)


def likely_duplicates(*, user: Any, key: str, data: dict[str, Any]) -> list[LikelyDuplicate]:
    """Records of type ``key`` that ``user`` may see which ``data`` probably describes again,
    best first; empty for record types that are not checked."""
    if key == "accounts":
        return [
            LikelyDuplicate(
                str(a),
                reverse("ui:detail", kwargs={"key": key, "pk": a.pk}),
                _account_reasons(a, data),
            )
            for a in account_duplicates(user=user, data=data)
        ]
    if key not in ("contacts", "leads"):
        return []
    return [
        LikelyDuplicate(
            c.title,
            reverse("ui:detail", kwargs={"key": key, "pk": c.record_id}),
            ", ".join(c.reasons),
        )
        for c in person_duplicates(user=user, record_type=key, data=data)
    ]
