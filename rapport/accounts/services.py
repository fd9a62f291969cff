"""Domain rules applied on every write of an account, whatever the channel."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from rapport.accounts.models import Account
from rapport.activities.models import Activity
from rapport.contacts.models import AccountMembership, Contact
from rapport.framework.actor import Actor
from rapport.framework.merge import MergeMoves, related_by_type_move
from rapport.framework.text import phone_e164, website_domain
from rapport.opportunities.models import Opportunity


def account_prepare(*, actor: Actor, record: Account, changed: set[str], **_kw: Any) -> None:
    """Normalise website and phone; refuse a parent that would make a cycle."""
    record.name = record.name.strip()
    record.domain = website_domain(record.website)
    record.phone_e164 = phone_e164(record.phone)
    if record.parent_id is not None and "parent" in changed:
        seen = {record.pk}
        parent_id: int | None = record.parent_id
        while parent_id is not None:
            if parent_id in seen:
                raise ValidationError(
                    {
                        "parent": ValidationError(
                            _("An account cannot be its own ancestor."), code="parent_cycle"
                        )
                    }
                )
            seen.add(parent_id)
            parent_id = (
                Account.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
            )


def account_merge_related(
    *, actor: Actor, survivor: Account, other: Account, moves: MergeMoves, **_kw: Any
) -> None:
    """Move onto ``survivor`` everything that refers to ``other``: opportunities, contact
    memberships (one per contact), contacts' primary account, child accounts, activities."""
    moves.update(Opportunity.objects.filter(account=other), account_id=survivor.pk)
    members = set(
        AccountMembership.objects.filter(account=survivor).values_list("contact_id", flat=True)
    )
    moves.delete(AccountMembership.objects.filter(account=other, contact_id__in=members))
    moves.update(AccountMembership.objects.filter(account=other), account_id=survivor.pk)
    moves.update(Contact.objects.filter(primary_account=other), primary_account_id=survivor.pk)
    moves.update(
        Account.objects.filter(parent=other).exclude(pk=survivor.pk), parent_id=survivor.pk
    )
    related_by_type_move(moves=moves, model=Activity, survivor=survivor, other=other)
