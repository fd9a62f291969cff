"""Reads of accounts: likely duplicates of an account about to be created (accounts have no
scored matcher; the same name, website domain or phone number is enough)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from rapport.accounts.models import Account
from rapport.framework.base_models import restricted
from rapport.framework.text import phone_e164, website_domain


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


def account_duplicate_reasons(account: Account, data: dict[str, Any]) -> str:
    """Why ``account`` is a likely duplicate of ``data``, for people to read."""
    reasons = []
    if account.name.lower() == str(data.get("name") or "").strip().lower():
        reasons.append(_("same name"))
    if account.domain and account.domain == website_domain(str(data.get("website") or "")):
        reasons.append(_("same website"))
    if account.phone_e164 and account.phone_e164 == phone_e164(str(data.get("phone") or "")):
        reasons.append(_("same phone"))
    return ", ".join(reasons)
