"""The batch writer of contact imports: the same outcome as ``RowWriter`` row by row, in
batches of a few thousand rows with one transaction, a handful of queries and bulk inserts
each.

A row the batch writer can decide on its own (plain text fields, country, emails and phones
that pass the fast checks of ``rapport.imports.cleaning``) is created, updated or skipped here:
the contact, its email and phone rows, the change-log entry, the search entry and the event
are written for the whole batch at once, with the values ``record_create`` /
``record_update`` would have stored. Any other row (an account, tags, a custom field, a
value the checks do not vouch for, a row that would be rejected) goes to ``RowWriter`` in its
own savepoint, in file order, so it is validated and reported exactly as before.

Duplicates are matched as ``RowWriter`` does (rows earlier in the file first, then the
records the user may see, by email ignoring case and by E.164 phone), with one query per
batch for the emails and one for the phones instead of a query per row and key.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries
from django_countries.fields import CountryField

from rapport.contacts.choices import EmailLabel, PhoneLabel
from rapport.contacts.models import AccountMembership, Contact, ContactEmail, ContactPhone
from rapport.core.custom_fields import custom_fields_clean
from rapport.core.models import ChangeLogEntry
from rapport.framework.actor import Actor
from rapport.framework.audit import json_value
from rapport.framework.base_models import restricted
from rapport.framework.choices import ChangeAction
from rapport.framework.events import RecordEvent, event_queue
from rapport.framework.registry import RecordType
from rapport.framework.text import person_display_name, person_name_clean
from rapport.imports.choices import DuplicatePolicy, RowAction
from rapport.imports.cleaning import email_simple, fast_country, fast_e164
from rapport.imports.readers import SourceRow, oversized_column
from rapport.imports.rows import RowOutcome, RowWriter
from rapport.search.indexer import index_records

# Rows written per transaction by the import job.
BATCH_ROWS = 2000
# Text fields of a contact the batch writer fills itself (no choices, no relation).
TEXT_FIELDS = (
    "given_name",
    "family_name",
    "job_title",
    "department",
    "street",
    "city",
    "region",
    "postal_code",
    "description",
)
_FAST_KEYS = {*TEXT_FIELDS, "country", "emails", "phones"}
_NAMES = ("given_name", "family_name")
# Snapshot keys left out by record_snapshot.
_SNAPSHOT_SKIP = {"updated_at", "updated_by"}
_EMAIL_LABELS = set(EmailLabel.values)
_PHONE_LABELS = set(PhoneLabel.values)
_PHONE_NUMBER_MAX = int(getattr(ContactPhone._meta.get_field("number"), "max_length", 50))
_E164_MAX = int(getattr(ContactPhone._meta.get_field("e164"), "max_length", 20))
_BAD_TEXT = ("\x00",)


class _Refused(Exception):
    """The permission check after a batch write failed: redo its rows one by one."""


@dataclass
class _Pending:
    """A contact created in the current batch, not yet written (its id comes at flush)."""

    record_id: int | None = None


@dataclass
class _State:
    """An existing contact as the batch writer needs it: the record, its tags and children
    (in snapshot form, by pk), and whether the user may change it."""

    record: Contact
    tags: list[str]
    children: dict[str, list[dict[str, Any]]]
    changeable: bool


@dataclass
class _Row:
    source: SourceRow
    outcome: RowOutcome
    values: dict[str, str] = field(default_factory=dict)  # text fields and country code
    emails: list[str] = field(default_factory=list)
    phones: list[tuple[str, str]] = field(default_factory=list)  # (number, E.164)
    keys: list[str] = field(default_factory=list)
    slow: bool = False  # something only RowWriter handles
    valid: bool = True  # every value passes the fast checks


@dataclass
class _Write:
    """One pending create or update of the batch."""

    row: _Row
    record: Contact
    children: dict[str, list[dict[str, Any]]]  # emails/phones written, snapshot form
    before: dict[str, Any] | None  # the full snapshot before an update
    tags: list[str]
    added_keys: list[str]
    pending: _Pending | None = None


def _plain(f: Any) -> bool:
    """Fields whose Python value is already what the database driver takes (the others, such
    as dates, JSON and countries, are converted with ``get_db_prep_save``)."""
    plain = (models.CharField, models.TextField, models.BooleanField, models.IntegerField)
    return isinstance(f, (*plain, models.ForeignKey)) and not isinstance(f, CountryField)


def _text(value: Any) -> Any:
    """A choice (an enum member) as its value, as the field's get_prep_value gives it."""
    return value.value if isinstance(value, Enum) else value


def bulk_insert(objs: list[Any]) -> None:
    """Insert ``objs`` (instances of one model, without ids) with one ``executemany``: the
    same rows as ``bulk_create``, without its per-value expression machinery, which costs
    more than the insert itself. No ids are read back."""
    if not objs:
        return
    meta = objs[0]._meta
    db = connections[DEFAULT_DB_ALIAS]  # the wrapper itself: the proxy's lookups add up
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    quote = db.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    plain = [(f.attname, None if _plain(f) else f) for f in fields]
    params = [
        [
            _text(getattr(o, name))
            if convert is None
            else convert.get_db_prep_save(getattr(o, name), db)
            for name, convert in plain
        ]
        for o in objs
    ]
    with db.cursor() as cur:
        cur.executemany(f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks})", params)


def _contacts_insert(records: list[Contact]) -> None:
    """Insert new contacts and set their ids. On SQLite, inside the write transaction (which
    holds the database's only write lock) rows inserted by one statement get consecutive
    rowids ending at ``last_insert_rowid()``; elsewhere ``bulk_create`` returns them."""
    if not records:
        return
    if connection.vendor != "sqlite":
        Contact.objects.bulk_create(records)
        return
    bulk_insert(records)
    with connection.cursor() as cur:
        cur.execute("SELECT last_insert_rowid()")
        last = int(cur.fetchone()[0])
    for offset, record in enumerate(records):
        record.pk = last - len(records) + 1 + offset
        record._state.adding = False


def _snapshot(record: Contact, tags: list[str], children: dict[str, Any]) -> dict[str, Any]:
    """What ``record_snapshot`` returns for ``record`` with these tags and child rows."""
    data: dict[str, Any] = {}
    for f in Contact._meta.concrete_fields:
        if f.name in _SNAPSHOT_SKIP:
            continue
        raw = getattr(record, f.attname)
        data[f.name] = json_value(raw if f.is_relation else f.get_prep_value(raw))
    data["tags"] = sorted(tags)
    for name in ("emails", "phones", "memberships"):
        data[name] = [dict(row) for row in children.get(name, [])]
    return data


@cache
def _validation_plan() -> list[tuple[Any, frozenset[str] | None]]:
    """The contact's fields that record_update's full_clean checks, with the values of those
    that have choices (Django normalises the choices again on every check)."""
    plan: list[tuple[Any, frozenset[str] | None]] = []
    for f in Contact._meta.concrete_fields:
        if f.name in ("id", "tags", "created_by", "updated_by") or f.is_relation:
            # Foreign keys of a stored contact point at rows the database keeps existing.
            continue
        choices = getattr(f, "choices", None)
        values = frozenset(str(v) for v, _label in f.flatchoices) if choices else None
        plan.append((f, values))
    return plan


def _record_valid(record: Contact) -> bool:
    """What ``Model.full_clean`` checks on an updated contact: every field's conversion,
    null, blank, choices and validators (a contact has no constraints or unique fields)."""
    for f, choices in _validation_plan():
        raw = getattr(record, f.attname)
        if f.blank and raw in f.empty_values:
            continue
        try:
            value = f.to_python(raw)
            if f.editable:
                if choices is not None and value not in f.empty_values and value not in choices:
                    return False
                if (value is None and not f.null) or (not f.blank and value in f.empty_values):
                    return False
            f.run_validators(value)
        except ValidationError:
            return False
    return True


def _one_primary(rows: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """contact_*_clean's rule: at most one primary (None if several), the first if none."""
    primaries = sum(1 for r in rows if r.get("is_primary"))
    if primaries > 1:
        return None
    if rows and not primaries:
        rows[0] = {**rows[0], "is_primary": True}
    return rows


class _LinkedRowWriter(RowWriter):
    """RowWriter whose duplicate matching is the batch writer's (same answers, and it sees
    the rows of the batch not yet written)."""

    batch: FastContactImport

    def duplicate_of(self, data: dict[str, Any]) -> int | None:
        return self.batch.duplicate(self._keys(data))


class FastContactImport:
    """Writes the rows of one contact import in batches (see the module docstring)."""

    def __init__(
        self,
        *,
        record_type: RecordType,
        headers: list[str],
        mapping: dict[str, str],
        policy: DuplicatePolicy,
        actor: Actor,
        custom_defaults: dict[str, Any],
    ) -> None:
        self.record_type = record_type
        self.policy = policy
        self.actor = actor
        self.user: Any = actor.user
        self.custom_defaults = custom_defaults
        self.slow = _LinkedRowWriter(
            record_type=record_type,
            headers=headers,
            mapping=mapping,
            policy=policy,
            actor=actor,
        )
        self.slow.batch = self
        self.headers = headers
        self.columns = self.slow.columns
        self.other_columns = [
            i for key, indexes in self.columns.items() if key not in _FAST_KEYS for i in indexes
        ]
        self.text_limits = {
            name: int(getattr(Contact._meta.get_field(name), "max_length", 0) or 0)
            for name in TEXT_FIELDS
        }
        # Duplicate keys of the rows written so far (shared with the RowWriter).
        self.seen: dict[str, int | _Pending] = {}
        self.slow._seen = self.seen  # type: ignore[assignment]
        self.db: dict[str, int | None] = {}
        self.loaded: dict[int, _State] = {}
        self.pending: list[_Write] = []
        self.pending_updates: set[int] = set()
        self.content_type = ContentType.objects.get_for_model(Contact)
        self._mixed_case = self._mixed_case_emails()

    # --- eligibility -------------------------------------------------------------------------

    @classmethod
    def for_import(
        cls,
        *,
        record_type: RecordType,
        headers: list[str],
        mapping: dict[str, str],
        policy: DuplicatePolicy,
        actor: Actor,
    ) -> FastContactImport | None:
        """The batch writer for this import, or None when it must run row by row (not
        contacts, an actor who may not write, custom fields every new contact must fill)."""
        user: Any = actor.user
        if record_type.key != "contacts" or actor.read_only or user is None or not user.is_active:
            return None
        try:
            defaults = custom_fields_clean(
                record_type="contacts", values=None, existing=None, user=user, creating=True
            )
        except ValidationError:
            return None
        return cls(
            record_type=record_type,
            headers=headers,
            mapping=mapping,
            policy=policy,
            actor=actor,
            custom_defaults=defaults,
        )

    # --- reading and checking one row --------------------------------------------------------

    def _cells(self, cells: list[str], key: str) -> list[str]:
        return [cells[i] for i in self.columns.get(key, ()) if i < len(cells) and cells[i]]

    def _parse(self, source: SourceRow) -> _Row:
        row = _Row(source, RowOutcome(source.number, RowAction.CREATED))
        cells = source.cells
        if oversized_column(source, self.headers) is not None:
            row.slow = True
            return row
        if any(i < len(cells) and cells[i] for i in self.other_columns):
            row.slow = True
        for name in TEXT_FIELDS:
            found = self._cells(cells, name)
            if found:
                text = found[0]
                row.values[name] = text
                limit = self.text_limits[name]
                if (limit and len(text) > limit) or any(b in text for b in _BAD_TEXT):
                    row.valid = False
        country = self._cells(cells, "country")
        if country:
            code = fast_country(country[0])
            row.values["country"] = code
            row.valid = row.valid and bool(code)
        row.emails = self._cells(cells, "emails")
        for email in row.emails:
            folded = email.strip().casefold()
            row.keys.append(f"email:{folded}")
            if not email_simple(email):
                row.valid = False
        for number in self._cells(cells, "phones"):
            e164 = fast_e164(number)
            row.phones.append((number, e164))
            if len(number) > _PHONE_NUMBER_MAX or len(e164) > _E164_MAX:
                row.valid = False
        row.keys += [f"phone:{e164}" for _number, e164 in row.phones if e164]
        for name in _NAMES:
            if name in row.values:
                cleaned = person_name_clean(row.values[name])
                if len(cleaned) > self.text_limits[name]:
                    row.valid = False
        return row

    # --- duplicates --------------------------------------------------------------------------

    def _mixed_case_emails(self) -> dict[str, list[int]]:
        """Stored addresses with upper-case letters, by their lower-case form: the exact
        ``email__in`` lookup of a batch misses them, RowWriter's ``iexact`` does not."""
        if self.policy == DuplicatePolicy.CREATE:
            return {}
        out: dict[str, list[int]] = defaultdict(list)
        rows = (
            ContactEmail.objects.annotate(folded=Lower("email"))
            .exclude(email=F("folded"))
            .values_list("folded", "contact_id")
        )
        for folded, contact_id in rows.iterator(chunk_size=10_000):
            out[folded].append(contact_id)
        return dict(out)

    def _prefetch(self, rows: list[_Row]) -> None:
        """The records the user may see for every email and phone key of the batch."""
        self.db = {}
        if self.policy == DuplicatePolicy.CREATE:
            return
        keys = {k for row in rows for k in row.keys if k not in self.seen}
        emails = {k[6:] for k in keys if k.startswith("email:") and k.isascii()}
        phones = {k[6:] for k in keys if k.startswith("phone:")}
        visible = restricted(Contact, self.user, "view")
        found: dict[str, int] = {}

        def keep(key: str, pk: int) -> None:
            if key not in found or pk < found[key]:
                found[key] = pk

        if emails:
            for email, pk in visible.filter(emails__email__in=emails).values_list(
                "emails__email", "pk"
            ):
                keep(f"email:{email}", pk)
            mixed = {e: self._mixed_case[e] for e in emails if e in self._mixed_case}
            if mixed:
                ids = {pk for pks in mixed.values() for pk in pks}
                seeable = set(visible.filter(pk__in=ids).values_list("pk", flat=True))
                for email, pks in mixed.items():
                    for pk in pks:
                        if pk in seeable:
                            keep(f"email:{email}", pk)
        if phones:
            for e164, pk in visible.filter(phones__e164__in=phones).values_list(
                "phones__e164", "pk"
            ):
                keep(f"phone:{e164}", pk)
        for key in keys:
            if key.startswith("phone:") or key[6:] in emails:
                self.db[key] = found.get(key)
        if self.policy == DuplicatePolicy.UPDATE:
            self._load([pk for pk in set(found.values()) if pk not in self.loaded])

    def resolve(self, keys: list[str]) -> int | _Pending | None:
        """RowWriter.duplicate_of: a row earlier in the file first, then the lowest id the
        user may see, key by key."""
        for key in keys:
            if key in self.seen:
                return self.seen[key]
        for key in keys:
            # A key the batch query does not cover (non-ASCII email) is looked up alone.
            found = self.db[key] if key in self.db else RowWriter._existing(self.slow, [key])
            if found is not None:
                return found
        return None

    def settle(self, found: int | _Pending) -> int | None:
        """The id of a duplicate, writing the pending rows first when it is one of them (so
        that what is read from the database next is current). None when that row, refused
        by the check after writing, was then rejected: resolve again."""
        if isinstance(found, _Pending) or found in self.pending_updates:
            self.flush()
        if isinstance(found, _Pending):
            return found.record_id
        return found

    def duplicate(self, keys: list[str]) -> int | None:
        """``resolve`` then ``settle``: the id of the record a row repeats, or None."""
        while True:
            found = self.resolve(keys)
            if found is None:
                return None
            settled = self.settle(found)
            if settled is not None:
                return settled

    # --- existing records --------------------------------------------------------------------

    def _load(self, ids: list[int]) -> None:
        """Read ``ids`` with their tags and children, as record_snapshot would."""
        if not ids:
            return
        records = Contact.objects.in_bulk(ids)
        children: dict[int, dict[str, list[dict[str, Any]]]] = {
            pk: {"emails": [], "phones": [], "memberships": []} for pk in records
        }
        for contact_id, email, label, primary in (
            ContactEmail.objects.filter(contact_id__in=ids)
            .order_by("pk")
            .values_list("contact_id", "email", "label", "is_primary")
        ):
            children[contact_id]["emails"].append(
                {"email": email, "label": label, "is_primary": primary}
            )
        for contact_id, number, e164, label, primary in (
            ContactPhone.objects.filter(contact_id__in=ids)
            .order_by("pk")
            .values_list("contact_id", "number", "e164", "label", "is_primary")
        ):
            children[contact_id]["phones"].append(
                {"number": number, "e164": e164, "label": label, "is_primary": primary}
            )
        for contact_id, account_id, role, primary in (
            AccountMembership.objects.filter(contact_id__in=ids)
            .order_by("pk")
            .values_list("contact_id", "account_id", "buying_role", "is_primary")
        ):
            children[contact_id]["memberships"].append(
                {"account": account_id, "buying_role": role, "is_primary": primary}
            )
        tags: dict[int, list[str]] = defaultdict(list)
        through: Any = Contact.tags.through
        for contact_id, name in through.objects.filter(contact_id__in=ids).values_list(
            "contact_id", "tag__name"
        ):
            tags[contact_id].append(name)
        changeable = set(
            restricted(Contact, self.user, "change").filter(pk__in=ids).values_list("pk", flat=True)
        )
        for pk, record in records.items():
            self.loaded[pk] = _State(record, tags[pk], children[pk], pk in changeable)

    # --- deciding a row ----------------------------------------------------------------------

    def write_batch(self, sources: list[SourceRow]) -> list[RowOutcome]:
        """Import ``sources`` (in file order) and return their outcomes, in one transaction
        (the caller's) with a savepoint per row that only RowWriter could handle."""
        rows = [self._parse(s) for s in sources]
        self._prefetch(rows)
        for row in rows:
            self._decide(row)
        self.flush()
        self.loaded.clear()
        return [row.outcome for row in rows]

    def _decide(self, row: _Row) -> None:
        if row.slow:
            self._slow(row)
            return
        duplicate = None if self.policy == DuplicatePolicy.CREATE else self.duplicate(row.keys)
        if duplicate is not None and self.policy == DuplicatePolicy.SKIP:
            row.outcome.action, row.outcome.record_id = RowAction.SKIPPED, duplicate
            row.outcome.warnings.append(
                _("Duplicate of %(type)s #%(id)s: skipped.")
                % {"type": self.record_type.label, "id": duplicate}
            )
            return
        if not row.valid:
            self._slow(row)
            return
        done = self._create(row) if duplicate is None else self._update(row, duplicate)
        if not done:
            self._slow(row)

    def _slow(self, row: _Row) -> None:
        if self.pending and self.policy != DuplicatePolicy.CREATE:
            # RowWriter reads its duplicate from the database, in a savepoint of its own:
            # the pending rows it may depend on are written first, outside that savepoint.
            found = self.resolve(row.keys)
            if isinstance(found, _Pending) or found in self.pending_updates:
                self.flush()
        outcome = self.slow.write(row.source)
        row.outcome = outcome
        if outcome.record_id is not None:
            self.loaded.pop(outcome.record_id, None)

    @staticmethod
    def _emails_clean(emails: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
        """contact_emails_clean: None where it would refuse the list."""
        cleaned: list[dict[str, Any]] = []
        seen: set[str] = set()
        for row in emails:
            local, _at, domain = str(row["email"]).strip().rpartition("@")
            email = f"{local}@{domain.lower()}"
            if email.lower() in seen:
                return None
            seen.add(email.lower())
            cleaned.append({**row, "email": email})
        return _one_primary(cleaned)

    def _create(self, row: _Row) -> bool:
        if "family_name" not in row.values:
            return False
        emails = self._emails_clean(
            [{"email": e, "label": EmailLabel.WORK.value, "is_primary": False} for e in row.emails]
        )
        if emails is None:
            return False
        phones = _one_primary(
            [
                {"number": n, "e164": e, "label": PhoneLabel.WORK.value, "is_primary": False}
                for n, e in row.phones
            ]
        )
        assert phones is not None
        now = timezone.now()
        record = Contact(
            **row.values,
            owner=self.user,
            created_by=self.user,
            updated_by=self.user,
            created_at=now,
            updated_at=now,
            custom_fields=copy.deepcopy(self.custom_defaults),
        )
        self._prepare(record)
        children = {"emails": emails, "phones": phones}
        self._primaries(record, children)
        pending = _Pending()
        added = [k for k in row.keys if k not in self.seen]
        for key in added:
            self.seen[key] = pending
        self.pending.append(_Write(row, record, children, None, [], added, pending))
        return True

    @staticmethod
    def _prepare(record: Contact) -> None:
        """contact_prepare."""
        record.given_name = person_name_clean(record.given_name)
        record.family_name = person_name_clean(record.family_name)
        record.display_name = person_display_name(record.given_name, record.family_name)

    @staticmethod
    def _primaries(record: Contact, children: dict[str, list[dict[str, Any]]]) -> None:
        """contact_after_save: the primary email, phone and account copied onto the contact."""

        def primary(name: str, column: str) -> Any:
            return next((r[column] for r in children.get(name, []) if r["is_primary"]), None)

        record.primary_email = primary("emails", "email") or ""
        record.primary_phone = primary("phones", "e164") or ""
        record.primary_account_id = primary("memberships", "account")

    def _update(self, row: _Row, target: int) -> bool:
        """RowWriter's update of ``target`` with the row's values (children added to the
        existing ones); False when only RowWriter can do it exactly."""
        if target not in self.loaded:
            self._load([target])
        state = self.loaded.get(target)
        if state is None or not state.changeable:
            return False
        current = state.children
        # RowWriter.before: the serializer's form of the keys the row sets.
        before: dict[str, Any] = {}
        for name, _value in row.values.items():
            raw = getattr(state.record, name)
            before[name] = (countries.alpha2(raw) or "") if name == "country" else str(raw)
        merged: dict[str, list[dict[str, Any]]] = {}
        keys_data: list[str] = []
        if row.emails:
            have = {str(e["email"]).casefold() for e in current["emails"]}
            new = [
                {"email": e, "label": EmailLabel.WORK.value, "is_primary": False}
                for e in row.emails
                if e.casefold() not in have
            ]
            old = [dict(e) for e in current["emails"]]
            if any(e["label"] not in _EMAIL_LABELS or not email_simple(e["email"]) for e in old):
                return False
            before["emails"] = [dict(e) for e in current["emails"]]
            cleaned = self._emails_clean([*old, *new])
            if cleaned is None:
                return False
            merged["emails"] = cleaned
        if row.phones:
            have_phones = {fast_e164(str(p["number"])) or p["number"] for p in current["phones"]}
            new_phones = [
                {"number": n, "e164": e, "label": PhoneLabel.WORK.value, "is_primary": False}
                for n, e in row.phones
                if (e or n) not in have_phones
            ]
            old_phones = []
            for p in current["phones"]:
                number = str(p["number"]).strip()
                e164 = fast_e164(number)
                if (
                    p["label"] not in _PHONE_LABELS
                    or not number
                    or len(number) > _PHONE_NUMBER_MAX
                    or len(e164) > _E164_MAX
                ):
                    return False
                old_phones.append({**p, "number": number, "e164": e164})
            before["phones"] = [dict(p) for p in current["phones"]]
            cleaned_phones = _one_primary([*old_phones, *new_phones])
            if cleaned_phones is None:
                return False
            merged["phones"] = cleaned_phones
        record = copy.copy(state.record)
        for name, value in row.values.items():
            setattr(record, name, value)
        record.updated_at = timezone.now()
        record.updated_by = self.user
        self._prepare(record)
        if not _record_valid(record):
            return False
        children = {**current, **merged}
        self._primaries(record, children)
        for e in merged.get("emails", []):
            keys_data.append(f"email:{str(e['email']).strip().casefold()}")
        for p in merged.get("phones", []):
            if p["e164"]:
                keys_data.append(f"phone:{p['e164']}")
        added = [k for k in dict.fromkeys(keys_data) if k not in self.seen]
        for key in added:
            self.seen[key] = target
        old_snapshot = _snapshot(state.record, state.tags, current)
        self.pending.append(_Write(row, record, children, old_snapshot, state.tags, added))
        self.pending_updates.add(target)
        self.loaded[target] = _State(record, state.tags, children, True)
        row.outcome.action = RowAction.UPDATED
        row.outcome.record_id = target
        row.outcome.before = before
        return True

    # --- writing the batch -------------------------------------------------------------------

    def flush(self) -> None:
        """Write the pending rows; if the permission check afterwards refuses them, they are
        rolled back and go through RowWriter one by one."""
        if not self.pending:
            return
        writes, self.pending = self.pending, []
        self.pending_updates = set()
        try:
            with transaction.atomic():
                self._write(writes)
        except _Refused:
            for write in writes:
                for key in write.added_keys:
                    self.seen.pop(key, None)
                if write.pending is not None:
                    write.pending.record_id = None
                self.loaded.pop(int(write.record.pk or 0), None)
            for write in writes:
                write.row.outcome = RowOutcome(write.row.source.number, RowAction.CREATED)
                self._slow(write.row)
                if write.pending is not None and write.row.outcome.action == RowAction.CREATED:
                    # Rows that found this one as their duplicate meanwhile find its record.
                    write.pending.record_id = write.row.outcome.record_id

    def _write(self, writes: list[_Write]) -> None:
        creates = [w for w in writes if w.before is None]
        updates = [w for w in writes if w.before is not None]
        _contacts_insert([w.record for w in creates])
        for write in creates:
            assert write.pending is not None
            write.pending.record_id = write.row.outcome.record_id = int(write.record.pk)
        if updates:
            self._update_rows(updates)
            for name, model in (("emails", ContactEmail), ("phones", ContactPhone)):
                ids = [w.record.pk for w in updates if getattr(w.row, name)]
                if ids:
                    model._default_manager.filter(contact_id__in=ids).delete()
        self._children(writes)
        created_ids = [int(w.record.pk) for w in creates]
        updated_ids = list({int(w.record.pk) for w in updates})
        for action, ids in (("add", created_ids), ("change", updated_ids)):
            if ids and restricted(Contact, self.user, action).filter(pk__in=ids).count() != len(
                ids
            ):
                raise _Refused
        index_records(self.record_type.key, [*created_ids, *updated_ids])
        self._log(creates, updates)

    @staticmethod
    def _update_rows(updates: list[_Write]) -> None:
        """The updated contacts saved with one UPDATE statement run for each (QuerySet
        bulk_update builds a CASE per field and row, slower than the rows it saves)."""
        names = {"updated_at", "updated_by", "display_name", *_NAMES}
        names |= {"primary_email", "primary_phone", "primary_account"}
        for write in updates:
            names.update(write.row.values)
        fields = [Contact._meta.get_field(n) for n in sorted(names)]
        concrete: list[Any] = [f for f in fields if getattr(f, "concrete", False)]
        table = connection.ops.quote_name(Contact._meta.db_table)
        sets = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in concrete)
        params = [
            [
                *(f.get_db_prep_save(getattr(w.record, f.attname), connection) for f in concrete),
                w.record.pk,
            ]
            for w in updates
        ]
        with connection.cursor() as cur:
            cur.executemany(f"UPDATE {table} SET {sets} WHERE id = %s", params)

    def _children(self, writes: list[_Write]) -> None:
        emails: list[ContactEmail] = []
        phones: list[ContactPhone] = []
        for write in writes:
            pk = write.record.pk
            if write.before is None or write.row.emails:
                emails += [ContactEmail(contact_id=pk, **e) for e in write.children["emails"]]
            if write.before is None or write.row.phones:
                phones += [ContactPhone(contact_id=pk, **p) for p in write.children["phones"]]
        bulk_insert(emails)
        bulk_insert(phones)

    def _log(self, creates: list[_Write], updates: list[_Write]) -> None:
        """The change-log entries and events record_create / record_update write."""
        entries: list[ChangeLogEntry] = []
        events: list[RecordEvent] = []
        user_id = self.user.pk
        for write in [*creates, *updates]:
            after = _snapshot(write.record, write.tags, write.children)
            before = write.before
            action = ChangeAction.CREATE if before is None else ChangeAction.UPDATE
            if before is not None:
                if before == after:
                    continue
                changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
                before = {k: v for k, v in before.items() if k in changed}
                after = {k: v for k, v in after.items() if k in changed}
            entries.append(
                ChangeLogEntry(
                    time=timezone.now(),
                    actor_kind=self.actor.kind,
                    user_id=user_id,
                    token_id=self.actor.token_id,
                    channel=self.actor.channel,
                    request_id=self.actor.request_id[:64],
                    action=action,
                    content_type=self.content_type,
                    object_id=str(write.record.pk),
                    object_repr=str(write.record)[:200],
                    before=before,
                    after=after,
                )
            )
            verb = "created" if write.before is None else "updated"
            handed = (
                after.get("owner")
                if before is None or before.get("owner") != after.get("owner")
                else None
            )
            events.append(
                RecordEvent(
                    f"contacts.{verb}",
                    "contacts",
                    int(write.record.pk),
                    user_id,
                    assigned_to=handed,
                    label=str(write.record)[:200],
                )
            )
        bulk_insert(entries)
        for event in events:
            event_queue(event)


def fast_import_for(writer: RowWriter) -> FastContactImport | None:
    """The batch writer for the import ``writer`` was made for, or None (see for_import)."""
    mapping = {writer.headers[i]: key for key, indexes in writer.columns.items() for i in indexes}
    return FastContactImport.for_import(
        record_type=writer.record_type,
        headers=writer.headers,
        mapping=mapping,
        policy=writer.policy,
        actor=writer.actor,
    )


__all__ = ["BATCH_ROWS", "FastContactImport", "bulk_insert", "fast_import_for"]
