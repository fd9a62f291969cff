"""Likely duplicates, among the records a user may see, of a person about to be saved.

Candidates come from cheap exact lookups (same email, same phone) and from the search index
(the name, typo- and pinyin-tolerant); each is then scored by the same model as
``rapport dedupe`` and kept above its threshold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from rapport.contacts.models import Contact, ContactEmail, ContactPhone
from rapport.dedupe.choices import DuplicateRecordType
from rapport.dedupe.matcher import DEFAULT_THRESHOLD
from rapport.dedupe.models import DuplicatePair
from rapport.dedupe.normalise import PersonRecord, normalise
from rapport.dedupe.scoring import score_pair
from rapport.framework.base_models import restricted
from rapport.framework.search import global_search
from rapport.framework.text import phone_e164
from rapport.leads.models import Lead

NAME_CANDIDATES = 30


@dataclass(frozen=True)
class DuplicateCandidate:
    record_type: str
    record_id: int
    title: str
    score: float
    reasons: tuple[str, ...]


def _emails(data: dict[str, Any]) -> list[str]:
    found = [str(e.get("email", "")) for e in data.get("emails") or [] if isinstance(e, dict)]
    if data.get("email"):
        found.append(str(data["email"]))
    return [e.strip() for e in found if e.strip()]


def _phones(data: dict[str, Any]) -> list[str]:
    found = [str(p.get("number", "")) for p in data.get("phones") or [] if isinstance(p, dict)]
    if data.get("phone"):
        found.append(str(data["phone"]))
    return [p for p in found if p.strip()]


def _person(record_id: str, data: dict[str, Any]) -> PersonRecord:
    return PersonRecord(
        id=record_id,
        given_name=str(data.get("given_name") or ""),
        family_name=str(data.get("family_name") or ""),
        emails=tuple(_emails(data)),
        phones=tuple(_phones(data)),
        company=str(data.get("company") or ""),
        city=str(data.get("city") or ""),
        country=str(data.get("country") or ""),
    )


def _existing_contacts(user: Any, ids: set[int]) -> list[tuple[int, str, PersonRecord]]:
    contacts = (
        restricted(Contact, user, "view")
        .filter(pk__in=ids)
        .select_related("primary_account")
        .prefetch_related("emails", "phones")
    )
    return [
        (
            c.pk,
            c.display_name,
            PersonRecord(
                id=str(c.pk),
                given_name=c.given_name,
                family_name=c.family_name,
                emails=tuple(e.email for e in c.emails.all()),
                phones=tuple(p.e164 or p.number for p in c.phones.all()),
                company=c.primary_account.name if c.primary_account else "",
                city=c.city,
                country=str(c.country.code or ""),
            ),
        )
        for c in contacts
    ]


def _existing_leads(user: Any, ids: set[int]) -> list[tuple[int, str, PersonRecord]]:
    return [
        (
            lead.pk,
            lead.display_name,
            PersonRecord(
                id=str(lead.pk),
                given_name=lead.given_name,
                family_name=lead.family_name,
                emails=(lead.email,) if lead.email else (),
                phones=(lead.phone_e164 or lead.phone,) if lead.phone else (),
                company=lead.company,
                city=lead.city,
                country=str(lead.country.code or ""),
            ),
        )
        for lead in restricted(Lead, user, "view").filter(pk__in=ids)
    ]


def person_duplicates(
    *,
    user: Any,
    record_type: str,
    data: dict[str, Any],
    exclude_id: int | None = None,
    limit: int = 10,
) -> list[DuplicateCandidate]:
    """Contacts or leads (``record_type``) that ``data`` probably describes again, best first."""
    emails = [e.lower() for e in _emails(data)]
    phones = [p for p in (phone_e164(p) for p in _phones(data)) if p]
    ids: set[int] = set()
    if record_type == "contacts":
        if emails:
            ids |= set(
                ContactEmail.objects.filter(email__in=emails).values_list("contact_id", flat=True)
            )
        if phones:
            ids |= set(
                ContactPhone.objects.filter(e164__in=phones).values_list("contact_id", flat=True)
            )
    else:
        if emails:
            ids |= set(Lead.objects.filter(email__in=emails).values_list("id", flat=True))
        if phones:
            ids |= set(Lead.objects.filter(phone_e164__in=phones).values_list("id", flat=True))
    name = " ".join(str(data.get(k) or "") for k in ("given_name", "family_name")).strip()
    if name:
        hits = global_search(user=user, query=name, types=[record_type], limit=NAME_CANDIDATES)
        ids |= {h.record_id for h in hits}
    ids.discard(exclude_id or 0)
    if not ids:
        return []
    existing = (_existing_contacts if record_type == "contacts" else _existing_leads)(user, ids)
    region = settings.RAPPORT_DEFAULT_REGION
    new = normalise(_person("new", data), region=region)
    found = []
    for pk, title, person in existing:
        scored = score_pair(new, normalise(person, region=region))
        if scored.score >= DEFAULT_THRESHOLD:
            found.append(
                DuplicateCandidate(record_type, pk, title, round(scored.score, 3), scored.reasons)
            )
    found.sort(key=lambda c: (-c.score, c.record_id))
    return found[:limit]


def duplicate_pairs_visible(*, user: Any, record_type: str) -> QuerySet[DuplicatePair]:
    """Pairs of ``record_type`` whose two records ``user`` may both see."""
    model = Contact if record_type == DuplicateRecordType.CONTACTS else Lead
    visible = restricted(model, user, "view").values("pk")
    return DuplicatePair.objects.filter(
        record_type=record_type, left_id__in=visible, right_id__in=visible
    )


def duplicate_pair_titles(*, record_type: str, pairs: list[DuplicatePair]) -> dict[int, str]:
    """The display names of the records of ``pairs`` (already restricted), by id."""
    model = Contact if record_type == DuplicateRecordType.CONTACTS else Lead
    ids = {p.left_id for p in pairs} | {p.right_id for p in pairs}
    return dict(model._default_manager.filter(pk__in=ids).values_list("pk", "display_name"))
