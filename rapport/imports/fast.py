"""The batch writer of contact imports: the same outcome as ``RowWriter`` row by row, in
batches of a few thousand rows with one transaction and a handful of statements each.

A row the batch writer can decide on its own (plain text fields, country, emails and phones
that pass the fast checks of ``rapport.imports.cleaning``) is created, updated or skipped here:
the contact, its email and phone rows, the change-log entry, the search entry and the event
are written for the whole batch at once, with the values ``record_create`` /
``record_update`` would have stored. Any other row (an account, tags, a custom field, a
value the checks do not vouch for, a row that would be rejected) goes to ``RowWriter`` in its
own savepoint, in file order, so it is validated and reported exactly as before.

Records are plain dicts of column values, not model instances, and new contacts get their
ids when they are decided (``reserve_ids``): a later row of the same batch that repeats one
updates it in memory, so a batch is written once, whatever its duplicates. Duplicates are
matched as ``RowWriter`` does (rows earlier in the file first, then the records the user may
see, by email ignoring case and by E.164 phone), with one query per batch for the emails and
one for the phones instead of a query per row and key.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries
from rest_framework.exceptions import ValidationError as ApiValidationError

from rapport.contacts.choices import EmailLabel, PhoneLabel
from rapport.contacts.models import AccountMembership, Contact, ContactEmail, ContactPhone
from rapport.core.custom_fields import custom_fields_clean
from rapport.core.models import ChangeLogEntry
from rapport.framework.actor import Actor
from rapport.framework.audit import CHANGELOG_COLUMNS, changelog_row, json_value
from rapport.framework.base_models import restricted
from rapport.framework.bulk import insert_rows, plain_field, reserve_ids, update_rows
from rapport.framework.choices import ChangeAction
from rapport.framework.events import RecordEvent, events_queue
from rapport.framework.registry import RecordType
from rapport.framework.text import person_display_name, person_name_clean
from rapport.imports.choices import DuplicatePolicy, RowAction
from rapport.imports.cleaning import email_simple, email_valid, fast_country, fast_e164
from rapport.imports.readers import SourceRow, oversized_column
from rapport.imports.rows import RowOutcome, RowWriter, flatten_errors
from rapport.search.indexer import fts_bulk, index_records

# Rows written per transaction by the import job (on SQLite, other writers wait while one is
# written: about a second for 5,000 rows into a million contacts).
BATCH_ROWS = 5000
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
# Columns an update of an existing contact sets (all from the contact as read, changed or not).
_UPDATED = (
    *TEXT_FIELDS,
    "country",
    "display_name",
    "primary_email",
    "primary_phone",
    "primary_account_id",
    "updated_at",
    "updated_by_id",
)
# Values of a new contact that differ from the defaults, besides its text fields.
_NEW_VALUES = ("id", "country", "display_name", "primary_email", "primary_phone")
_EMAIL_COLUMNS = ("contact_id", "email", "label", "is_primary")
_PHONE_COLUMNS = ("contact_id", "number", "e164", "label", "is_primary")

Record = dict[str, Any]  # a contact's column values by attname
Children = dict[str, list[dict[str, Any]]]  # emails, phones, memberships in snapshot form


_MISSING = object()  # a required value the row does not give


class _Refused(Exception):
    """The permission check after a batch write failed: redo its rows one by one."""


@dataclass
class _State:
    """A contact as the batch writer needs it: its values, tags and children (in snapshot
    form), and whether the user may change it."""

    record: Record
    tags: list[str]
    children: Children
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
    unsure: bool = False  # a value the fast checks cannot decide on
    # Faults the fast checks are sure of, by serializer field: the value it would validate.
    problems: dict[str, Any] = field(default_factory=dict)

    wrote: bool = False  # created or updated by the batch writer (not only skipped)


@dataclass
class _Batch:
    """What the rows decided since the last write will write."""

    rows: list[_Row] = field(default_factory=list)
    created: dict[int, None] = field(default_factory=dict)  # ids, in the order decided
    updated: dict[int, set[str]] = field(default_factory=dict)  # id: child lists replaced
    log: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[RecordEvent] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)  # duplicate keys first seen in the batch

    def __bool__(self) -> bool:
        return bool(self.rows)

    def touches(self, pk: int | None) -> bool:
        return pk is not None and (pk in self.created or pk in self.updated)


@cache
def _columns() -> tuple[str, ...]:
    """The contact's columns by attname, in model order."""
    return tuple(f.attname for f in Contact._meta.concrete_fields)


@cache
def _snapshot_plan() -> tuple[tuple[str, str, Any], ...]:
    """(name, attname, field to convert with or None) for the keys of ``record_snapshot``."""
    return tuple(
        (f.name, f.attname, None if (f.is_relation or plain_field(f)) else f)
        for f in Contact._meta.concrete_fields
        if f.name not in _SNAPSHOT_SKIP
    )


def _defaults() -> Record:
    """A new contact's column values before the row's are set."""
    blank = Contact()
    return {name: blank.__dict__.get(name) for name in _columns()}


def _snapshot(record: Record, tags: list[str], children: Children) -> dict[str, Any]:
    """What ``record_snapshot`` returns for ``record`` with these tags and child rows."""
    data: dict[str, Any] = {}
    for name, attname, convert in _snapshot_plan():
        raw = record[attname]
        data[name] = raw if convert is None else json_value(convert.get_prep_value(raw))
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


def _record_valid(record: Record) -> bool:
    """What ``Model.full_clean`` checks on an updated contact: every field's conversion,
    null, blank, choices and validators (a contact has no constraints or unique fields)."""
    for f, choices in _validation_plan():
        raw = record[f.attname]
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
        user_id = getattr(actor.user, "pk", None)
        self.defaults = {
            **_defaults(),
            "owner_id": user_id,
            "created_by_id": user_id,
            "updated_by_id": user_id,
            "custom_fields": custom_defaults,
        }
        # Duplicate keys of the rows written so far (shared with the RowWriter).
        self.seen: dict[str, int] = {}
        self.slow._seen = self.seen
        self.db: dict[str, int | None] = {}
        self.loaded: dict[int, _State] = {}
        self.batch = _Batch()
        self.ids: list[int] = []  # reserved for the batch's new contacts, in reverse
        self.remaining = 0  # rows of the batch not yet decided
        self.new_snapshot: dict[str, Any] | None = None
        self.content_type_id = ContentType.objects.get_for_model(Contact).pk
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
                # The serializer's CharField trims what it is given.
                text = row.values[name] = found[0].strip()
                limit = self.text_limits[name]
                if (limit and len(text) > limit) or any(b in text for b in _BAD_TEXT):
                    row.unsure = True
        family = row.values.get("family_name")
        if not family:
            row.problems["family_name"] = _MISSING if family is None else family
        country = self._cells(cells, "country")
        if country:
            code = row.values["country"] = fast_country(country[0])
            if not code:
                row.problems["country"] = self.slow._scalar("country", country[0])
        row.emails = self._cells(cells, "emails")
        for email in row.emails:
            folded = email.strip().casefold()
            row.keys.append(f"email:{folded}")
            if not email_simple(email):
                if email_valid(email):
                    row.unsure = True
                else:
                    row.problems["emails"] = [{"email": e} for e in row.emails]
        for number in self._cells(cells, "phones"):
            e164 = fast_e164(number)
            row.phones.append((number, e164))
            if len(number) > _PHONE_NUMBER_MAX or len(e164) > _E164_MAX:
                row.unsure = True
        row.keys += [f"phone:{e164}" for _number, e164 in row.phones if e164]
        for name in _NAMES:
            if name in row.values:
                cleaned = person_name_clean(row.values[name])
                if len(cleaned) > self.text_limits[name]:
                    row.unsure = True
        return row

    def _reject(self, row: _Row) -> bool:
        """Reject a new row whose only faults are ones the fast checks are sure of (no family
        name, an unknown country, an invalid email), with the errors the serializer gives:
        its own fields validate the faulty values, in its order. False if unsure."""
        if row.unsure or not row.problems:
            return False
        errors: dict[str, list[str]] = {}
        for name, serializer_field in self.slow.serializer_fields.items():
            if name not in row.problems:
                continue
            value = row.problems[name]
            try:
                if value is _MISSING:
                    serializer_field.fail("required")
                serializer_field.run_validation(value)
            except ApiValidationError as exc:
                errors.update(flatten_errors({name: exc.detail}))
        if len(errors) < len(row.problems):
            return False
        row.outcome = RowOutcome(row.source.number, RowAction.REJECTED, errors=errors)
        return True

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
            # The records rows may update: found here, or written by earlier batches.
            targets = set(found.values())
            targets.update(self.seen[k] for row in rows for k in row.keys if k in self.seen)
            self._load([pk for pk in targets if pk not in self.loaded])

    def resolve(self, keys: list[str]) -> int | None:
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

    def duplicate(self, keys: list[str]) -> int | None:
        """The id of the record a row repeats, or None. RowWriter asks it before reading
        that record from the database: a record of the batch not yet written is written
        first (and if the permission check then refused the batch, the row is matched
        again against what RowWriter wrote instead)."""
        while True:
            found = self.resolve(keys)
            if not self.batch.touches(found):
                return found
            self.flush()

    # --- existing records --------------------------------------------------------------------

    def _load(self, ids: list[int]) -> None:
        """Read ``ids`` with their tags and children, as record_snapshot would."""
        if not ids:
            return
        records = {r["id"]: r for r in Contact.objects.filter(pk__in=ids).values(*_columns())}
        children: dict[int, Children] = {
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
        self.remaining = len(rows)
        for row in rows:
            self._decide(row)
            self.remaining -= 1
        self.flush()
        self.loaded.clear()
        self.ids = []
        return [row.outcome for row in rows]

    def _decide(self, row: _Row) -> None:
        if row.slow:
            self._slow(row)
            return
        duplicate = None if self.policy == DuplicatePolicy.CREATE else self.resolve(row.keys)
        if duplicate is not None and self.policy == DuplicatePolicy.SKIP:
            row.outcome.action, row.outcome.record_id = RowAction.SKIPPED, duplicate
            row.outcome.warnings.append(
                _("Duplicate of %(type)s #%(id)s: skipped.")
                % {"type": self.record_type.label, "id": duplicate}
            )
            self.batch.rows.append(row)
            return
        faults = dict(row.problems)
        if duplicate is not None and faults.get("family_name") is _MISSING:
            del faults["family_name"]  # an update keeps the family name it has
        if row.unsure or faults:
            if duplicate is not None or not self._reject(row):
                self._slow(row)
            return
        done = self._create(row) if duplicate is None else self._update(row, duplicate)
        if done:
            row.wrote = True
            self.batch.rows.append(row)
        else:
            self._slow(row)

    def _slow(self, row: _Row) -> None:
        # RowWriter reads its duplicate from the database, in a savepoint of its own: the
        # rows it may depend on are written first, outside that savepoint.
        if (
            self.batch
            and self.policy != DuplicatePolicy.CREATE
            and self.batch.touches(self.resolve(row.keys))
        ):
            self.flush()
        outcome = self.slow.write(row.source)
        row.outcome = outcome
        if outcome.record_id is not None:
            self.loaded.pop(outcome.record_id, None)

    def reserve(self, count: int) -> None:
        """Reserve the ids of the next batch's new contacts in a transaction of their own,
        before the batch's: on SQLite, whose one write lock the reservation takes, the batch
        then holds that lock only while it writes, not while it reads and decides."""
        with transaction.atomic():
            self.ids = reserve_ids(Contact, count)[::-1]

    def _next_id(self) -> int:
        if not self.ids:
            self.ids = reserve_ids(Contact, max(self.remaining, 1))[::-1]
        return self.ids.pop()

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
        record = {**self.defaults, **row.values, "created_at": now, "updated_at": now}
        record["id"] = pk = self._next_id()
        self._prepare(record)
        children: Children = {"emails": emails, "phones": phones, "memberships": []}
        self._primaries(record, children)
        added = [k for k in row.keys if k not in self.seen]
        for key in added:
            self.seen[key] = pk
        self.batch.keys += added
        self.batch.created[pk] = None
        self.loaded[pk] = _State(record, [], children, True)
        self._log(record, None, self._new_snapshot(record, children), now)
        row.outcome.record_id = pk
        return True

    def _new_snapshot(self, record: Record, children: Children) -> dict[str, Any]:
        """``_snapshot`` of a new contact: the defaults' snapshot (worked out once) with the
        values the row and the writer set."""
        if self.new_snapshot is None:
            self.new_snapshot = _snapshot(self.defaults, [], {})
        data = dict(self.new_snapshot)
        for name in _NEW_VALUES:
            data[name] = record[name]
        for name, value in record.items():
            if name in TEXT_FIELDS:
                data[name] = value
        data["primary_account"] = record["primary_account_id"]
        data["created_at"] = json_value(record["created_at"])
        data["emails"] = [dict(row) for row in children["emails"]]
        data["phones"] = [dict(row) for row in children["phones"]]
        return data

    @staticmethod
    def _prepare(record: Record) -> None:
        """contact_prepare."""
        record["given_name"] = person_name_clean(record["given_name"])
        record["family_name"] = person_name_clean(record["family_name"])
        record["display_name"] = person_display_name(record["given_name"], record["family_name"])

    @staticmethod
    def _primaries(record: Record, children: Children) -> None:
        """contact_after_save: the primary email, phone and account copied onto the contact."""

        def primary(name: str, column: str) -> Any:
            return next((r[column] for r in children.get(name, []) if r["is_primary"]), None)

        record["primary_email"] = primary("emails", "email") or ""
        record["primary_phone"] = primary("phones", "e164") or ""
        record["primary_account_id"] = primary("memberships", "account")

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
            raw = state.record[name]
            before[name] = (countries.alpha2(raw) or "") if name == "country" else str(raw)
        merged: Children = {}
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
        now = timezone.now()
        record = {**state.record, **row.values, "updated_at": now, "updated_by_id": self.user.pk}
        self._prepare(record)
        if not _record_valid(record):
            return False
        children = {**current, **merged}
        self._primaries(record, children)
        keys_data = [
            f"email:{str(e['email']).strip().casefold()}" for e in merged.get("emails", [])
        ]
        keys_data += [f"phone:{p['e164']}" for p in merged.get("phones", []) if p["e164"]]
        added = [k for k in dict.fromkeys(keys_data) if k not in self.seen]
        for key in added:
            self.seen[key] = target
        self.batch.keys += added
        if target not in self.batch.created:
            self.batch.updated.setdefault(target, set()).update(merged)
        self._log(
            record,
            _snapshot(state.record, state.tags, current),
            _snapshot(record, state.tags, children),
            now,
        )
        self.loaded[target] = _State(record, state.tags, children, True)
        row.outcome.action = RowAction.UPDATED
        row.outcome.record_id = target
        row.outcome.before = before
        return True

    def _log(
        self, record: Record, before: dict[str, Any] | None, after: dict[str, Any], now: Any
    ) -> None:
        """The change-log entry and the event record_create / record_update write."""
        pk = int(record["id"])
        label = str(record["display_name"])[:200]
        action = ChangeAction.CREATE if before is None else ChangeAction.UPDATE
        entry = changelog_row(
            actor=self.actor,
            action=action,
            content_type_id=self.content_type_id,
            object_id=pk,
            object_repr=label,
            before=before,
            after=after,
            time=now,
        )
        if entry is None:
            return
        self.batch.log.append(entry)
        handed = (
            after.get("owner")
            if before is None or before.get("owner") != after.get("owner")
            else None
        )
        verb = "created" if before is None else "updated"
        self.batch.events.append(
            RecordEvent(f"contacts.{verb}", "contacts", pk, self.user.pk, handed, label)
        )

    # --- writing the batch -------------------------------------------------------------------

    def flush(self) -> None:
        """Write what the rows decided since the last write decided; if the permission check
        afterwards refuses it, it is rolled back and those rows are decided again, the ones
        that wrote going through RowWriter one by one."""
        if not self.batch:
            return
        batch, self.batch = self.batch, _Batch()
        try:
            with transaction.atomic(), fts_bulk():
                self._write(batch)
        except _Refused:
            for key in batch.keys:
                self.seen.pop(key, None)
            for pk in [*batch.created, *batch.updated]:
                self.loaded.pop(pk, None)
            for row in batch.rows:
                row.outcome = RowOutcome(row.source.number, RowAction.CREATED)
                if row.wrote:
                    self._slow(row)
                else:
                    self._decide(row)
            self.flush()

    def _write(self, batch: _Batch) -> None:
        created = list(batch.created)
        updated = list(batch.updated)
        insert_rows(
            Contact,
            _columns(),
            ([self.loaded[pk].record[c] for c in _columns()] for pk in created),
        )
        if updated:
            self._update_rows(updated)
            for name, model in (("emails", ContactEmail), ("phones", ContactPhone)):
                ids = [pk for pk in updated if name in batch.updated[pk]]
                if ids:
                    model._default_manager.filter(contact_id__in=ids).delete()
        self._children(created, batch.updated)
        # Updated records, including those created earlier in the batch.
        changed = {
            int(r.outcome.record_id or 0)
            for r in batch.rows
            if r.wrote and r.outcome.action == RowAction.UPDATED
        }
        for action, ids in (("add", created), ("change", sorted(changed))):
            for start in range(0, len(ids), 5000):
                chunk = ids[start : start + 5000]
                allowed = restricted(Contact, self.user, action).filter(pk__in=chunk).count()
                if allowed != len(chunk):
                    raise _Refused
        index_records(self.record_type.key, created, new=True)
        index_records(self.record_type.key, updated)
        insert_rows(ChangeLogEntry, CHANGELOG_COLUMNS, batch.log)
        events_queue(batch.events)

    def _update_rows(self, ids: list[int]) -> None:
        """The updated contacts saved with one UPDATE statement run for each."""
        update_rows(
            Contact, _UPDATED, ([*(self.loaded[pk].record[n] for n in _UPDATED), pk] for pk in ids)
        )

    def _children(self, created: list[int], updated: dict[int, set[str]]) -> None:
        emails: list[tuple[Any, ...]] = []
        phones: list[tuple[Any, ...]] = []
        for pk in [*created, *updated]:
            children = self.loaded[pk].children
            replaced = updated.get(pk)
            if replaced is None or "emails" in replaced:
                emails += [
                    (pk, e["email"], e["label"], e["is_primary"]) for e in children["emails"]
                ]
            if replaced is None or "phones" in replaced:
                phones += [
                    (pk, p["number"], p["e164"], p["label"], p["is_primary"])
                    for p in children["phones"]
                ]
        insert_rows(ContactEmail, _EMAIL_COLUMNS, emails)
        insert_rows(ContactPhone, _PHONE_COLUMNS, phones)


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


__all__ = ["BATCH_ROWS", "FastContactImport", "fast_import_for"]
