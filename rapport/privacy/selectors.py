"""Reads of the privacy app: persons, their consents, their data, and retention candidates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Exists, OuterRef, Q

from rapport.activities.models import Activity
from rapport.contacts.models import Contact
from rapport.core.selectors import record_changes
from rapport.framework.audit import json_value
from rapport.framework.base_models import restricted
from rapport.framework.exceptions import RecordNotFound
from rapport.leads.models import Lead
from rapport.opportunities.models import Opportunity, OpportunityContact
from rapport.privacy.choices import ConsentPurpose, PersonType, PrivacyActionKind
from rapport.privacy.models import Consent, PrivacyAction, RetentionRule

Person = Contact | Lead

PERSON_MODELS: dict[str, type[Contact] | type[Lead]] = {
    PersonType.CONTACTS: Contact,
    PersonType.LEADS: Lead,
}


def person_type_of(person: Person) -> PersonType:
    return PersonType.CONTACTS if isinstance(person, Contact) else PersonType.LEADS


def person_get(*, user: Any, person_type: str, pk: int) -> Person:
    """The contact or lead ``pk`` if ``user`` may see it; ``RecordNotFound`` otherwise."""
    model = PERSON_MODELS.get(person_type)
    if model is None:
        raise RecordNotFound()
    person = restricted(model, user, "view").filter(pk=pk).first()
    if person is None:
        raise RecordNotFound()
    return person  # type: ignore[no-any-return]


def person_may(*, user: Any, person: Person, actions: tuple[str, ...]) -> bool:
    """Whether ``user`` may perform every one of ``actions`` on ``person``."""
    model = type(person)
    return all(restricted(model, user, a).filter(pk=person.pk).exists() for a in actions)


def consents_of(person: Person) -> models.QuerySet[Consent]:
    """Every consent row of ``person``, newest first (the caller checked access)."""
    field = "contact" if isinstance(person, Contact) else "lead"
    return Consent.objects.filter(**{field: person}).order_by("-recorded_at", "-id")


def consent_history(*, user: Any, person: Person) -> list[Consent]:
    """The consent rows of a person ``user`` may see, newest first."""
    person_get(user=user, person_type=person_type_of(person), pk=person.pk)
    return list(consents_of(person).select_related("recorded_by"))


def consent_current(*, user: Any, person: Person) -> dict[str, Consent | None]:
    """Per purpose, the newest consent statement of the person, or None when there is none.
    A withdrawn consent is a row with ``granted=False`` newer than the grant."""
    rows = consent_history(user=user, person=person)
    current: dict[str, Consent | None] = {p.value: None for p in ConsentPurpose}
    for row in rows:
        if current.get(row.purpose) is None:
            current[row.purpose] = row
    return current


def person_is_erased(person: Person) -> bool:
    return PrivacyAction.objects.filter(
        person_type=person_type_of(person),
        person_id=person.pk,
        action=PrivacyActionKind.ERASE,
    ).exists()


def _fields(record: models.Model) -> dict[str, Any]:
    skip = {"custom_fields"}
    data: dict[str, Any] = {}
    for f in record._meta.concrete_fields:
        if f.name in skip:
            continue
        raw = getattr(record, f.attname)
        data[f.name] = json_value(raw if f.is_relation else f.get_prep_value(raw))
    return data


def person_activities(person: Person) -> models.QuerySet[Activity]:
    """Activities linked to the person, or (for a contact) with them as a participant."""
    content_type = ContentType.objects.get_for_model(type(person))
    cond = Q(related_type=content_type, related_id=person.pk)
    if isinstance(person, Contact):
        cond |= Q(
            pk__in=Activity.participant_contacts.through.objects.filter(contact=person).values(
                "activity_id"
            )
        )
    return Activity.objects.filter(cond)


def person_opportunities(person: Person) -> models.QuerySet[Opportunity]:
    if not isinstance(person, Contact):
        return Opportunity.objects.none()
    roles = OpportunityContact.objects.filter(contact=person).values("opportunity_id")
    return Opportunity.objects.filter(Q(primary_contact=person) | Q(pk__in=roles))


def person_data(*, user: Any, person: Person) -> dict[str, Any]:
    """Everything Rapport holds about a person, for a subject access request.

    Activities and opportunities the user may not see are left out and counted under
    ``withheld``, so that the reader knows to ask an administrator for the complete export.
    """
    person_type = person_type_of(person)
    data: dict[str, Any] = {
        "record_type": person_type.value,
        "id": person.pk,
        "fields": _fields(person),
        "custom_fields": json_value(person.custom_fields),
        "tags": sorted(t.name for t in person.tags.all()),
        "emails": [],
        "phones": [],
        "memberships": [],
    }
    if isinstance(person, Contact):
        data["emails"] = [
            {"email": e.email, "label": e.label, "is_primary": e.is_primary}
            for e in person.emails.order_by("pk")
        ]
        data["phones"] = [
            {"number": p.number, "e164": p.e164, "label": p.label, "is_primary": p.is_primary}
            for p in person.phones.order_by("pk")
        ]
        data["memberships"] = [
            {
                "account": m.account_id,
                "account_name": m.account.name,
                "buying_role": m.buying_role,
                "is_primary": m.is_primary,
            }
            for m in person.memberships.select_related("account").order_by("pk")
        ]
    all_activities = person_activities(person)
    activities = all_activities.filter(
        pk__in=restricted(Activity, user, "view").values("pk")
    ).order_by("created_at", "pk")
    data["activities"] = [
        {
            "id": a.pk,
            "kind": a.kind,
            "subject": a.subject,
            "body": a.body,
            "due_at": json_value(a.due_at),
            "start_at": json_value(a.start_at),
            "end_at": json_value(a.end_at),
            "done": a.done,
            "created_at": json_value(a.created_at),
        }
        for a in activities
    ]
    all_opportunities = person_opportunities(person)
    opportunities = all_opportunities.filter(
        pk__in=restricted(Opportunity, user, "view").values("pk")
    ).order_by("pk")
    roles = (
        dict(
            OpportunityContact.objects.filter(contact=person).values_list("opportunity_id", "role")
        )
        if isinstance(person, Contact)
        else {}
    )
    data["opportunities"] = [
        {
            "id": o.pk,
            "name": o.name,
            "amount": json_value(o.amount),
            "is_primary_contact": o.primary_contact_id == person.pk,
            "role": roles.get(o.pk, ""),
        }
        for o in opportunities
    ]
    data["consents"] = [consent_json(c) for c in consents_of(person)]
    data["changes"] = [
        {
            "time": json_value(e.time),
            "action": e.action,
            "channel": e.channel,
            "user": e.user_id,
            "before": e.before,
            "after": e.after,
        }
        for e in record_changes(person)
    ]
    data["withheld"] = {
        "activities": all_activities.count() - len(data["activities"]),
        "opportunities": all_opportunities.count() - len(data["opportunities"]),
    }
    return data


def consent_json(consent: Consent) -> dict[str, Any]:
    return {
        "id": consent.pk,
        "purpose": consent.purpose,
        "granted": consent.granted,
        "source": consent.source,
        "wording": consent.wording,
        "recorded_at": json_value(consent.recorded_at),
        "recorded_by": consent.recorded_by_id,
        "withdrawn_at": json_value(consent.withdrawn_at),
        "withdrawn_source": consent.withdrawn_source,
    }


def privacy_actions_of(*, user: Any, person: Person) -> models.QuerySet[PrivacyAction]:
    person_get(user=user, person_type=person_type_of(person), pk=person.pk)
    return PrivacyAction.objects.filter(person_type=person_type_of(person), person_id=person.pk)


def retention_candidates(*, rule: RetentionRule, now: dt.datetime) -> models.QuerySet[Any]:
    """Persons of the rule's type not updated, and without an activity created or updated,
    within the rule's period; already erased persons are left out of an anonymising rule."""
    model = PERSON_MODELS[rule.person_type]
    cutoff = now - dt.timedelta(days=rule.period_days)
    content_type = ContentType.objects.get_for_model(model)
    recent = Activity.objects.filter(updated_at__gte=cutoff)
    linked = recent.filter(related_type=content_type, related_id=OuterRef("pk"))
    qs = model._default_manager.filter(updated_at__lt=cutoff).exclude(Exists(linked))
    if model is Contact:
        through = Activity.participant_contacts.through
        participant = through.objects.filter(
            contact_id=OuterRef("pk"), activity__updated_at__gte=cutoff
        )
        qs = qs.exclude(Exists(participant))
    erased = PrivacyAction.objects.filter(
        person_type=rule.person_type, person_id=OuterRef("pk"), action=PrivacyActionKind.ERASE
    )
    if rule.action == "erase":
        qs = qs.exclude(Exists(erased))
    return qs.order_by("pk")
