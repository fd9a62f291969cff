"""Writes of the privacy app: consents, subject access exports, erasure and retention.

Every action is recorded in ``PrivacyAction`` (who, when, what, which person) in the same
transaction, without the person's data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.activities.models import Activity
from rapport.contacts.models import Contact, ContactEmail, ContactPhone
from rapport.core.services import changelog_anonymise
from rapport.framework.actor import Actor
from rapport.framework.audit import changelog_write, record_snapshot
from rapport.framework.choices import ChangeAction
from rapport.framework.events import RecordEvent, event_queue
from rapport.framework.exceptions import RecordNotFound, RecordPermissionDenied, field_error
from rapport.framework.registry import get_record_type
from rapport.framework.search import search_index_record, search_unindex_record
from rapport.privacy.choices import (
    ConsentPurpose,
    ConsentSource,
    PrivacyActionKind,
    RetentionAction,
)
from rapport.privacy.models import Consent, PrivacyAction, RetentionRule
from rapport.privacy.selectors import (
    Person,
    person_activities,
    person_data,
    person_is_erased,
    person_type_of,
    retention_candidates,
)

# What erasure sets on each person model: every field that identifies or describes the person.
# The placeholder name goes into family_name and display_name.
_ERASED_CONTACT_FIELDS: dict[str, Any] = {
    "salutation": "",
    "given_name": "",
    "job_title": "",
    "department": "",
    "birthday": None,
    "preferred_language": "",
    "street": "",
    "city": "",
    "region": "",
    "postal_code": "",
    "country": "",
    "primary_email": "",
    "primary_phone": "",
    "description": "",
    "custom_fields": {},
}
_ERASED_LEAD_FIELDS: dict[str, Any] = {
    "salutation": "",
    "given_name": "",
    "email": "",
    "phone": "",
    "phone_e164": "",
    "job_title": "",
    "website": "",
    "city": "",
    "region": "",
    "country": "",
    "description": "",
    "custom_fields": {},
}
# What the text of activities shows in place of a removed name or address.
ERASED_TEXT = "[erased]"


class PersonAlreadyErased(Exception):
    """Erasing a person twice: the second call changes nothing."""


@dataclass(frozen=True)
class Erasure:
    person_type: str
    person_id: int
    placeholder: str
    emails_deleted: int
    phones_deleted: int
    activities_scrubbed: int
    changelog_rows_rewritten: int


@dataclass
class RetentionReport:
    """What a retention run did (or, in a dry run, would do): ``(person type, id, action)``."""

    items: list[tuple[str, int, str]] = field(default_factory=list)
    kept: list[tuple[str, int, str]] = field(default_factory=list)


def erased_placeholder(person: Person) -> str:
    return _("Erased person #%(id)d") % {"id": person.pk}


def _log(
    *, actor: Actor, action: PrivacyActionKind, person: Person, detail: dict[str, Any]
) -> PrivacyAction:
    return PrivacyAction.objects.create(
        time=timezone.now(),
        action=action,
        actor_kind=actor.kind,
        channel=actor.channel,
        user=actor.user if actor.user is not None and actor.user.pk else None,
        request_id=actor.request_id[:64],
        person_type=person_type_of(person),
        person_id=person.pk,
        detail=detail,
    )


def _require(actor: Actor, person: Person, actions: tuple[str, ...]) -> Person:
    """The person, locked, if the actor may perform every action; 404 if they may not see it,
    403 if they may see it but not do all of ``actions``."""
    if actor.read_only:
        raise RecordPermissionDenied(_("This API token is read-only."), code="read_only_token")
    model = type(person)
    manager: Any = model._default_manager
    if actor.user is None or not manager.restrict(actor.user, "view").filter(pk=person.pk).exists():
        raise RecordNotFound()
    for action in actions:
        if not manager.restrict(actor.user, action).filter(pk=person.pk).exists():
            raise RecordPermissionDenied()
    locked: Person = manager.select_for_update().get(pk=person.pk)
    return locked


def _choice(name: str, value: Any, choices: type[models.TextChoices]) -> str:
    if value not in choices.values:
        raise field_error(
            name,
            _("Unknown value %(value)r; choose from %(choices)s.")
            % {"value": value, "choices": ", ".join(choices.values)},
            "invalid_choice",
        )
    return str(value)


def _person_kwargs(person: Person) -> dict[str, Person]:
    return {"contact": person} if isinstance(person, Contact) else {"lead": person}


@transaction.atomic
def consent_record(
    *,
    actor: Actor,
    person: Person,
    purpose: str,
    granted: bool,
    source: str,
    wording: str,
) -> Consent:
    """Record what a person said about one purpose, as a new row (history is kept).

    Needs change access to the person. A new grant or refusal supersedes earlier ones; a grant
    still open is stamped as withdrawn when the new statement is a refusal.
    """
    purpose = _choice("purpose", purpose, ConsentPurpose)
    source = _choice("source", source, ConsentSource)
    if not isinstance(granted, bool):
        raise field_error("granted", _("Give true or false."), "invalid")
    person = _require(actor, person, ("change",))
    now = timezone.now()
    if not granted:
        _close_grants(person, purpose, now, source)
    consent = Consent.objects.create(
        **_person_kwargs(person),
        purpose=purpose,
        granted=granted,
        source=source,
        wording=wording,
        recorded_at=now,
        recorded_by=actor.user,
    )
    _log(
        actor=actor,
        action=PrivacyActionKind.CONSENT_RECORDED,
        person=person,
        detail={"consent": consent.pk, "purpose": purpose, "granted": granted, "source": source},
    )
    return consent


def _close_grants(person: Person, purpose: str, now: dt.datetime, source: str) -> int:
    return Consent.objects.filter(
        **_person_kwargs(person), purpose=purpose, granted=True, withdrawn_at__isnull=True
    ).update(withdrawn_at=now, withdrawn_source=source)


@transaction.atomic
def consent_withdraw(*, actor: Actor, person: Person, purpose: str, source: str) -> Consent:
    """Withdraw a person's consent for one purpose: a new row with ``granted=False``, and the
    open grants stamped with the withdrawal time and source. Refused (400, code
    ``not_granted``) when the person's current statement for the purpose is not a grant."""
    purpose = _choice("purpose", purpose, ConsentPurpose)
    source = _choice("source", source, ConsentSource)
    person = _require(actor, person, ("change",))
    now = timezone.now()
    if not _close_grants(person, purpose, now, source):
        raise field_error(
            "purpose", _("There is no granted consent for this purpose."), "not_granted"
        )
    consent = Consent.objects.create(
        **_person_kwargs(person),
        purpose=purpose,
        granted=False,
        source=source,
        wording="",
        recorded_at=now,
        recorded_by=actor.user,
    )
    _log(
        actor=actor,
        action=PrivacyActionKind.CONSENT_WITHDRAWN,
        person=person,
        detail={"consent": consent.pk, "purpose": purpose, "source": source},
    )
    return consent


@transaction.atomic
def person_data_export(*, actor: Actor, person: Person, export_format: str) -> dict[str, Any]:
    """Everything held about a person (subject access request); needs change access."""
    person = _require(actor, person, ("change",))
    data = person_data(user=actor.user, person=person)
    _log(
        actor=actor,
        action=PrivacyActionKind.EXPORT,
        person=person,
        detail={"format": export_format},
    )
    return data


@transaction.atomic
def person_erase(*, actor: Actor, person: Person) -> Erasure:
    """Anonymise a person everywhere, irreversibly; needs change and delete access.

    The record row and its relations stay (counts, opportunities, revenue); names, addresses,
    birthday, description, custom fields, email and phone rows go; activities' text and the
    record's change log lose the person's name and addresses; the search index is rebuilt.
    """
    person = _require(actor, person, ("change", "delete"))
    if person_is_erased(person):
        raise PersonAlreadyErased()
    return _anonymise(actor=actor, person=person)


def _identifiers(person: Person) -> list[str]:
    """The strings that identify the person in free text (names, addresses, numbers)."""
    # Whole names only: a given name alone ("Ann") would also match inside other words.
    values = {person.display_name}
    if isinstance(person, Contact):
        values |= set(ContactEmail.objects.filter(contact=person).values_list("email", flat=True))
        for number, e164 in ContactPhone.objects.filter(contact=person).values_list(
            "number", "e164"
        ):
            values |= {number, e164}
        values.add(person.primary_email)
    else:
        values |= {person.email, person.phone, person.phone_e164}
    return sorted({v for v in values if v and v.strip()}, key=len, reverse=True)


# Other apps that keep personal data about a person (web-form submissions, ...) register a
# function here; erasure calls each and records how many rows it removed, by name.
PersonDataEraser = Callable[[Person], int]
_erasers: dict[str, PersonDataEraser] = {}


def person_data_eraser(name: str, eraser: PersonDataEraser) -> None:
    """Register ``eraser`` (called with the person during erasure, inside its transaction)."""
    _erasers[name] = eraser


def _anonymise(*, actor: Actor, person: Person) -> Erasure:
    record_type = get_record_type(person_type_of(person))
    content_type = ContentType.objects.get_for_model(type(person))
    identifiers = _identifiers(person)
    before = record_snapshot(person, record_type)
    placeholder = erased_placeholder(person)
    erased = dict(_ERASED_CONTACT_FIELDS if isinstance(person, Contact) else _ERASED_LEAD_FIELDS)
    erased |= {"family_name": placeholder, "display_name": placeholder}
    for name, value in erased.items():
        setattr(person, name, value)
    person.updated_at = timezone.now()
    person.updated_by = actor.user
    person.save()
    emails = phones = 0
    if isinstance(person, Contact):
        emails, _rows = ContactEmail.objects.filter(contact=person).delete()
        phones, _rows = ContactPhone.objects.filter(contact=person).delete()
    activities = _activities_scrub(person, identifiers)
    elsewhere = {name: eraser(person) for name, eraser in sorted(_erasers.items())}
    search_index_record(record_type, person)
    after = record_snapshot(person, record_type)
    changelog_write(
        actor=actor,
        action=ChangeAction.UPDATE,
        record=person,
        object_id=person.pk,
        before=before,
        after=after,
    )
    # The old values of every erased field, in every row of the record's history.
    replaced = {name: json_value_of(person, name) for name in erased}
    replaced |= {"emails": [], "phones": []}
    rewritten = changelog_anonymise(
        content_type=content_type,
        object_id=person.pk,
        fields=replaced,
        scrub=identifiers,
        replacement=ERASED_TEXT,
        object_repr=placeholder,
    )
    _log(
        actor=actor,
        action=PrivacyActionKind.ERASE,
        person=person,
        detail={
            "emails_deleted": emails,
            "phones_deleted": phones,
            "activities_scrubbed": activities,
            "changelog_rows_rewritten": rewritten,
            **elsewhere,
        },
    )
    event_queue(
        RecordEvent(
            f"{record_type.key}.updated",
            record_type.key,
            person.pk,
            actor.user.pk if actor.user else None,
        )
    )
    return Erasure(
        person_type=record_type.key,
        person_id=person.pk,
        placeholder=placeholder,
        emails_deleted=emails,
        phones_deleted=phones,
        activities_scrubbed=activities,
        changelog_rows_rewritten=rewritten,
    )


def json_value_of(record: models.Model, name: str) -> Any:
    f = record._meta.get_field(name)
    return f.get_prep_value(getattr(record, f.attname))  # type: ignore[union-attr]


def _scrub(text: str, identifiers: list[str]) -> str:
    lowered = text
    for needle in identifiers:
        start = lowered.lower().find(needle.lower())
        while start != -1:
            lowered = lowered[:start] + ERASED_TEXT + lowered[start + len(needle) :]
            start = lowered.lower().find(needle.lower(), start + len(ERASED_TEXT))
    return lowered


def _activities_scrub(person: Person, identifiers: list[str]) -> int:
    """Replace the person's names and addresses in the subject and body of their activities,
    and in those activities' change log. Returns the number of activities changed."""
    changed = 0
    activity_type = ContentType.objects.get_for_model(Activity)
    for activity in person_activities(person).order_by("pk").select_for_update():
        subject, body = _scrub(activity.subject, identifiers), _scrub(activity.body, identifiers)
        if (subject, body) == (activity.subject, activity.body):
            continue
        Activity.objects.filter(pk=activity.pk).update(subject=subject[:255], body=body)
        changelog_anonymise(
            content_type=activity_type,
            object_id=activity.pk,
            fields={},
            scrub=identifiers,
            replacement=ERASED_TEXT,
        )
        changed += 1
    return changed


def _person_delete(*, actor: Actor, person: Person) -> None:
    """Erase, then delete the row (retention); the change log keeps only anonymised values."""
    record_type = get_record_type(person_type_of(person))
    if not person_is_erased(person):
        _anonymise(actor=actor, person=person)
    before = record_snapshot(person, record_type)
    pk, label = person.pk, str(person)
    person.delete()
    search_unindex_record(record_type, pk)
    changelog_write(
        actor=actor,
        action=ChangeAction.DELETE,
        record=person,
        object_id=pk,
        before=before,
        after=None,
        object_repr=label,
    )
    PrivacyAction.objects.create(
        time=timezone.now(),
        action=PrivacyActionKind.DELETE,
        actor_kind=actor.kind,
        channel=actor.channel,
        user=None,
        person_type=record_type.key,
        person_id=pk,
        detail={},
    )


def retention_apply(
    *, actor: Actor, now: dt.datetime | None = None, dry_run: bool = False
) -> RetentionReport:
    """Apply every enabled retention rule: anonymise or delete the persons past their period.

    One person at a time, each in its own transaction, so that one failure does not undo the
    rest; a person still referred to by a protected relation is anonymised and kept.
    """
    now = now or timezone.now()
    report = RetentionReport()
    for rule in RetentionRule.objects.filter(enabled=True).order_by("person_type"):
        for person in retention_candidates(rule=rule, now=now):
            item = (rule.person_type, int(person.pk), str(rule.action))
            if dry_run:
                report.items.append(item)
                continue
            try:
                with transaction.atomic():
                    locked = type(person)._default_manager.select_for_update().get(pk=person.pk)
                    if rule.action == RetentionAction.DELETE:
                        _person_delete(actor=actor, person=locked)
                    else:
                        _anonymise(actor=actor, person=locked)
            except models.ProtectedError:
                with transaction.atomic():
                    if not person_is_erased(person):
                        _anonymise(actor=actor, person=person)
                report.kept.append(item)
                continue
            report.items.append(item)
    return report


__all__ = [
    "Erasure",
    "PersonAlreadyErased",
    "RetentionReport",
    "consent_record",
    "consent_withdraw",
    "person_data_export",
    "person_erase",
    "retention_apply",
]
