"""Which fields of a record type a column can feed, and the mapping proposed from headers.

A header matches a field by its key (``family_name``), its verbose name in English or in
Chinese (``Family name``, ``姓``), or a common synonym (``Surname``, ``E-mail``, ``手机``,
``Company``): the person-column synonyms of ``rapport.dedupe.csvio``. Headers are compared
folded (case, spaces, ``_``, ``-`` and ``.`` ignored).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils.functional import lazy
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext_lazy, override
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.relations import ManyRelatedField, RelatedField

from rapport.contacts.models import Contact
from rapport.core.custom_fields import definitions_for
from rapport.dedupe.csvio import field_for_header, header_key
from rapport.framework.registry import RecordType

CHINESE = "zh-hans"


class FieldKind(Enum):
    SCALAR = "scalar"
    RELATION = "relation"  # a foreign key: an id, or the related record's name
    EMAILS = "emails"  # a contact's email rows, one per column
    PHONES = "phones"  # a contact's phone rows, one per column
    ACCOUNT_NAME = "account_name"  # a contact's account, by name
    TAGS = "tags"  # tag names, separated by commas
    CUSTOM = "custom"  # a custom field (key ``cf.<name>``)


@dataclass(frozen=True)
class ImportField:
    key: str
    # Lazy: shown in the language of the request that reads it.
    label: Any
    kind: FieldKind
    aliases: frozenset[str]

    @property
    def multiple(self) -> bool:
        """Several columns may feed it."""
        return self.kind in (FieldKind.EMAILS, FieldKind.PHONES)


# What the person columns known to the duplicate matcher feed, per record type.
_PERSON_FIELDS: dict[str, dict[str, str]] = {
    "contacts": {
        "given_name": "given_name",
        "family_name": "family_name",
        "emails": "emails",
        "phones": "phones",
        "company": "account",
        "city": "city",
        "country": "country",
    },
    "leads": {
        "given_name": "given_name",
        "family_name": "family_name",
        "emails": "email",
        "phones": "phone",
        "company": "company",
        "city": "city",
    },
    "accounts": {
        "company": "name",
        "phones": "phone",
        "city": "billing_city",
        "country": "billing_country",
    },
    "opportunities": {"company": "account"},
    "activities": {},
}
# More headers a column of a record type is known by (English and Chinese), beyond the
# field's key and verbose names: orders come from shop and ERP exports.
_SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "orders": {
        "number": ("order number", "order no", "order #", "order id", "订单号", "订单编号"),
        "account": ("customer", "company", "account name", "客户", "客户名称", "公司"),
        "order_date": ("date", "ordered on", "order placed", "下单日期", "订单日期", "日期"),
        "status": ("order status", "状态", "订单状态"),
        "currency": ("货币", "币种"),
        "subtotal": ("net", "小计"),
        "discount_total": ("discount", "折扣", "折扣金额"),
        "tax_total": ("tax", "vat", "税", "税额"),
        "total": ("grand total", "order total", "amount", "总计", "合计", "总额", "金额"),
        "external_reference": ("reference", "external id", "ref", "外部编号", "参考号"),
        "fulfilled_on": ("fulfilled", "delivered on", "交付日期", "完成日期"),
        "cancelled_on": ("cancelled", "取消日期"),
        "description": ("notes", "备注", "描述"),
    },
}
CUSTOM_PREFIX = "cf."
# Fields never filled from a file: the record's identity and stamps.
_NEVER = {"id", "custom_fields", "created_at", "updated_at", "created_by", "updated_by"}


def _labels(model: Any, name: str, field: serializers.Field) -> tuple[Any, str, str]:  # type: ignore[type-arg]
    """The field's label (lazy, in the reader's language), in English and in Chinese."""
    try:
        verbose: Any = model._meta.get_field(field.source or name).verbose_name
    except (FieldDoesNotExist, AttributeError):
        verbose = field.label or name
    with override("en"):
        english = capfirst(str(verbose))
    with override(CHINESE):
        chinese = str(verbose)
    return capfirst(verbose), english, chinese


def _custom_label(english: str, chinese: str) -> Any:
    """A custom field's label in the reader's language (Chinese when it has one)."""
    return lazy(
        lambda: chinese if chinese and get_language().lower().startswith("zh") else english, str
    )()


def _field(key: str, label: Any, kind: FieldKind, *names: str) -> ImportField:
    return ImportField(key, label, kind, frozenset(header_key(n) for n in (key, *names) if n))


def import_fields(record_type: RecordType) -> dict[str, ImportField]:
    """The fields a column can feed, by key."""
    serializer = record_type.serializer(context={"request": None})
    model = record_type.model
    out: dict[str, ImportField] = {}
    fields: Any = serializer.fields  # type: ignore[attr-defined]
    for name, field in fields.items():
        if name in _NEVER or field.read_only:
            continue
        if isinstance(field, serializers.ListSerializer | ManyRelatedField | serializers.JSONField):
            continue
        label, english, chinese = _labels(model, name, field)
        kind = FieldKind.RELATION if isinstance(field, RelatedField) else FieldKind.SCALAR
        out[name] = _field(name, label, kind, english, chinese)
    for key, names in _SYNONYMS.get(record_type.key, {}).items():
        if key in out:
            known = out[key]
            out[key] = _field(key, known.label, known.kind, *names, *known.aliases)
    if "tags" in fields:
        with override(CHINESE):
            tags_zh = str(_("Tags"))
        out["tags"] = _field("tags", gettext_lazy("Tags"), FieldKind.TAGS, "tag", tags_zh, "标签")
    for defn in definitions_for(record_type.key).values():
        key = CUSTOM_PREFIX + defn.name
        label = _custom_label(defn.label, defn.label_zh)
        out[key] = _field(key, label, FieldKind.CUSTOM, defn.name, defn.label, defn.label_zh)
    if record_type.key == "contacts":
        with override(CHINESE):
            email_zh, phone_zh = str(_("Email")), str(_("Phone"))
            account_zh = str(Contact._meta.get_field("primary_account").verbose_name)
        out["emails"] = _field("emails", gettext_lazy("Email"), FieldKind.EMAILS, "email", email_zh)
        out["phones"] = _field("phones", gettext_lazy("Phone"), FieldKind.PHONES, "phone", phone_zh)
        out["account"] = _field(
            "account", gettext_lazy("Account"), FieldKind.ACCOUNT_NAME, account_zh
        )
    return out


def field_for_column(header: str, record_type: RecordType, fields: dict[str, ImportField]) -> str:
    """The field key a header feeds, or "" when none matches."""
    key = header_key(header)
    if not key:
        return ""
    for field in fields.values():
        if key in field.aliases:
            return field.key
    person = field_for_header(header)
    target = _PERSON_FIELDS.get(record_type.key, {}).get(person or "", "")
    return target if target in fields else ""


def propose_mapping(headers: list[str], record_type: RecordType) -> dict[str, str]:
    """``{header: field key or ""}``; a single-valued field takes only its first column."""
    fields = import_fields(record_type)
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for header in headers:
        target = field_for_column(header, record_type, fields)
        if target and (target not in taken or fields[target].multiple):
            mapping[header] = target
            taken.add(target)
        else:
            mapping[header] = ""
    return mapping


def mapping_errors(
    mapping: dict[str, str], headers: list[str], record_type: RecordType
) -> list[str]:
    """What is wrong with a mapping given by the user; empty when it can be used."""
    fields = import_fields(record_type)
    errors: list[str] = []
    used: dict[str, str] = {}
    for header, target in mapping.items():
        if header not in headers:
            errors.append(_("“%(header)s” is not a column of the file.") % {"header": header})
        elif target and target not in fields:
            errors.append(
                _("“%(field)s” is not a field that can be imported (column “%(header)s”).")
                % {"field": target, "header": header}
            )
        elif target and target in used and not fields[target].multiple:
            errors.append(
                _("Columns “%(first)s” and “%(second)s” both feed “%(field)s”.")
                % {"first": used[target], "second": header, "field": fields[target].label}
            )
        elif target:
            used[target] = header
    if not errors and not any(mapping.get(h) for h in headers):
        errors.append(
            _(
                "No column matches a field of %(type)s: the first row must name the columns "
                "(for example %(examples)s)."
            )
            % {
                "type": record_type.label_plural,
                "examples": ", ".join(str(f.label) for f in list(fields.values())[:4]),
            }
        )
    return errors
