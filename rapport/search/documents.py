"""What each indexed record type contributes to the index, as SQL over its own tables.

One SELECT per record type yields ``(id, title, subtitle, text)`` and one yields its
``(record_id, e164)`` phones; the same statements index one record inside a write transaction
and a million in a bulk ``INSERT ... SELECT``, so both paths always agree. ``{where}`` filters
the record table (alias ``r``); ``{agg}`` is the vendor's string aggregate.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from rapport.accounts.models import Account
from rapport.contacts.models import Contact, ContactEmail, ContactPhone
from rapport.leads.models import Lead
from rapport.opportunities.models import Opportunity


@dataclass(frozen=True)
class Document:
    record_type: str
    table: str
    select: str
    phones: str = ""
    # Record types whose text repeats this one's title: (record type, their column that
    # points here). Renaming an account re-indexes its contacts and opportunities.
    dependents: tuple[tuple[str, str], ...] = ()


def _t(model: type) -> str:
    return str(model._meta.db_table)  # type: ignore[attr-defined]


@cache
def documents() -> dict[str, Document]:
    """The indexed record types, by key."""
    account, contact, lead, opp = _t(Account), _t(Contact), _t(Lead), _t(Opportunity)
    docs = [
        Document(
            "accounts",
            account,
            f"SELECT r.id, r.name AS title, r.domain AS subtitle, "
            f"r.name || ' ' || r.domain AS text FROM {account} r WHERE {{where}}",
            f"SELECT r.id AS record_id, r.phone_e164 AS e164 FROM {account} r "
            f"WHERE r.phone_e164 <> '' AND {{where}}",
            dependents=(("contacts", "primary_account_id"), ("opportunities", "account_id")),
        ),
        Document(
            "contacts",
            contact,
            f"SELECT r.id, r.display_name AS title, COALESCE(a.name, r.primary_email) AS subtitle,"
            f" r.display_name || ' ' || r.primary_email || ' ' || COALESCE(("
            f"SELECT {{agg}}(m.email, ' ') FROM {_t(ContactEmail)} m WHERE m.contact_id = r.id "
            f"AND m.email <> r.primary_email), '') || ' ' || COALESCE(a.name, '') AS text "
            f"FROM {contact} r LEFT JOIN {account} a ON a.id = r.primary_account_id "
            f"WHERE {{where}}",
            # The denormalised primary phone covers contacts written without child rows.
            f"SELECT p.contact_id AS record_id, p.e164 AS e164 FROM {_t(ContactPhone)} p "
            f"JOIN {contact} r "
            f"ON r.id = p.contact_id WHERE p.e164 <> '' AND {{where}} "
            f"UNION SELECT r.id, r.primary_phone FROM {contact} r "
            f"WHERE r.primary_phone <> '' AND {{where}}",
        ),
        Document(
            "leads",
            lead,
            f"SELECT r.id, r.display_name AS title, "
            f"CASE WHEN r.company <> '' THEN r.company ELSE r.email END AS subtitle, "
            f"r.display_name || ' ' || r.email || ' ' || r.company AS text "
            f"FROM {lead} r WHERE {{where}}",
            f"SELECT r.id AS record_id, r.phone_e164 AS e164 FROM {lead} r "
            f"WHERE r.phone_e164 <> '' AND {{where}}",
        ),
        Document(
            "opportunities",
            opp,
            f"SELECT r.id, r.name AS title, a.name AS subtitle, r.name || ' ' || a.name AS text "
            f"FROM {opp} r JOIN {account} a ON a.id = r.account_id WHERE {{where}}",
        ),
    ]
    return {d.record_type: d for d in docs}
