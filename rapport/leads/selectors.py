"""Reads of leads: the accounts a lead may join when it is converted, and the conversion on
the timelines of the lead and of the contact it became."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from rapport.accounts.models import Account
from rapport.accounts.selectors import account_duplicate_reasons, account_duplicates
from rapport.contacts.models import Contact
from rapport.framework.timeline import TimelineItem
from rapport.leads.models import Lead


@dataclass(frozen=True)
class AccountCandidate:
    account: Account
    reasons: str


def lead_account_data(lead: Lead) -> dict[str, Any]:
    """The account a lead would become, as the account duplicate matcher reads it."""
    return {"name": lead.company, "website": lead.website, "phone": lead.phone}


def lead_account_candidates(*, user: Any, lead: Lead, limit: int = 10) -> list[AccountCandidate]:
    """Existing accounts ``user`` may see that are probably the lead's company (same name,
    website domain or phone), best first: the more reasons, the better."""
    data = lead_account_data(lead)
    found = [
        AccountCandidate(account, account_duplicate_reasons(account, data))
        for account in account_duplicates(user=user, data=data, limit=limit)
    ]
    return sorted(found, key=lambda c: -len([r for r in c.reasons.split(", ") if r]))


def lead_conversion_timeline(user: Any, record: Any, limit: int) -> list[TimelineItem]:
    """Timeline source: "lead converted" on the lead, and on the contact it became."""
    if isinstance(record, Lead):
        if record.converted_at is None:
            return []
        return [TimelineItem(record.converted_at, "lead.converted", _("Lead converted"), {})]
    if not isinstance(record, Contact):
        return []
    lead = (
        Lead.objects.filter(converted_contact=record, converted_at__isnull=False)
        .only("converted_at", "display_name")
        .first()
    )
    if lead is None or lead.converted_at is None:
        return []
    title = _("Converted from the lead %(name)s") % {"name": lead.display_name}
    return [TimelineItem(lead.converted_at, "lead.converted", title, {})]
