"""Domain rules applied on every write of a contact, whatever the channel."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from rapport.activities.models import Activity
from rapport.contacts.models import AccountMembership, Contact, ContactEmail, ContactPhone
from rapport.framework.actor import Actor
from rapport.framework.merge import MergeMoves, related_by_type_move
from rapport.framework.text import person_display_name, person_name_clean, phone_e164
from rapport.opportunities.models import Opportunity, OpportunityContact
from rapport.privacy.models import Consent


def _one_primary(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    primaries = [r for r in rows if r.get("is_primary")]
    if len(primaries) > 1:
        raise ValidationError(_("Only one entry can be primary."), code="several_primary")
    if rows and not primaries:
        rows[0] = {**rows[0], "is_primary": True}
    return rows


def contact_emails_clean(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Trim, lower-case the domain, refuse repeats; exactly one primary."""
    cleaned: list[dict[str, Any]] = []
    seen: set[str] = set()
    for row in rows:
        local, _at, domain = str(row.get("email", "")).strip().rpartition("@")
        email = f"{local}@{domain.lower()}"
        if email.lower() in seen:
            raise ValidationError(
                _("The address %(email)s is listed twice.") % {"email": email}, code="duplicate"
            )
        seen.add(email.lower())
        cleaned.append({**row, "email": email})
    return _one_primary(cleaned)


def contact_phones_clean(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Keep the number as typed and add its E.164 form; exactly one primary."""
    return _one_primary(
        [
            {
                **r,
                "number": str(r.get("number", "")).strip(),
                "e164": phone_e164(str(r.get("number", ""))),
            }
            for r in rows
        ]
    )


def contact_memberships_clean(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    accounts = [getattr(r.get("account"), "pk", r.get("account")) for r in rows]
    if len(accounts) != len(set(accounts)):
        raise ValidationError(_("An account is listed twice."), code="duplicate")
    return _one_primary(rows)


def contact_prepare(*, actor: Actor, record: Contact, changed: set[str], **_kw: Any) -> None:
    record.given_name = person_name_clean(record.given_name)
    record.family_name = person_name_clean(record.family_name)
    record.display_name = person_display_name(record.given_name, record.family_name)


def contact_after_save(
    *, actor: Actor, record: Contact, children: dict[str, list[Any]] | None = None, **_kw: Any
) -> None:
    """Copy the primary email, phone and account onto the contact for lists and search.

    Child rows just written are passed in ``children``; the others are read back.
    """
    written = children or {}

    def primary(name: str, model: Any, column: str) -> Any:
        if name in written:
            return next((getattr(r, column) for r in written[name] if r.is_primary), None)
        return (
            model.objects.filter(contact=record, is_primary=True)
            .values_list(column, flat=True)
            .first()
        )

    email = primary("emails", ContactEmail, "email") or ""
    phone = primary("phones", ContactPhone, "e164") or ""
    account_id = primary("memberships", AccountMembership, "account_id")
    if (email, phone, account_id) != (
        record.primary_email,
        record.primary_phone,
        record.primary_account_id,
    ):
        record.primary_email, record.primary_phone = email, phone
        record.primary_account_id = account_id
        Contact.objects.filter(pk=record.pk).update(
            primary_email=email, primary_phone=phone, primary_account_id=account_id
        )


def contact_merge_related(
    *, actor: Actor, survivor: Contact, other: Contact, moves: MergeMoves, **_kw: Any
) -> None:
    """Move onto ``survivor`` everything that belongs to ``other``: emails, phones and
    memberships (without duplicates; the survivor's primary stays primary), activities and
    activity participations, opportunities and contact roles, consents."""

    def unite(model: Any, key: Callable[[Any], Any]) -> None:
        mine = list(model.objects.filter(contact=survivor))
        seen = {key(r) for r in mine}
        has_primary = any(r.is_primary for r in mine)
        for row in model.objects.filter(contact=other).order_by("-is_primary", "pk"):
            if key(row) in seen:
                moves.delete(model.objects.filter(pk=row.pk))
                continue
            seen.add(key(row))
            values: dict[str, Any] = {"contact_id": survivor.pk}
            if row.is_primary and has_primary:
                values["is_primary"] = False
            has_primary = has_primary or row.is_primary
            moves.update(model.objects.filter(pk=row.pk), **values)

    unite(ContactEmail, lambda r: r.email.strip().lower())
    unite(ContactPhone, lambda r: r.e164 or r.number.strip())
    unite(AccountMembership, lambda r: r.account_id)

    related_by_type_move(moves=moves, model=Activity, survivor=survivor, other=other)
    through: Any = Activity.participant_contacts.through
    taken = set(through.objects.filter(contact=survivor).values_list("activity_id", flat=True))
    moves.delete(through.objects.filter(contact=other, activity_id__in=taken))
    moves.update(through.objects.filter(contact=other), contact_id=survivor.pk)

    moves.update(Opportunity.objects.filter(primary_contact=other), primary_contact_id=survivor.pk)
    roles_taken = set(
        OpportunityContact.objects.filter(contact=survivor).values_list("opportunity_id", flat=True)
    )
    moves.delete(OpportunityContact.objects.filter(contact=other, opportunity_id__in=roles_taken))
    moves.update(OpportunityContact.objects.filter(contact=other), contact_id=survivor.pk)

    moves.update(Consent.objects.filter(contact=other), contact_id=survivor.pk)
