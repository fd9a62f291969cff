"""What a web form may contain, and its checks: the lead fields a form may ask for, the shape of
the field and consent lists, the per-language texts and the embedding origins.

Used by the serializer (an administrator designs a form) and by the hosted page and the
submission service (a visitor fills it in).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.utils.translation import gettext as _

from rapport.core.choices import CustomFieldType
from rapport.core.custom_fields import definitions_for
from rapport.core.models import CustomFieldDefinition
from rapport.leads.models import Lead
from rapport.privacy.choices import ConsentPurpose

CF_PREFIX = "cf."
# The lead fields a visitor may fill in. Owner, team, status, rating and source are the
# organisation's to set, never the visitor's.
LEAD_FIELDS = (
    "salutation",
    "given_name",
    "family_name",
    "email",
    "phone",
    "job_title",
    "company",
    "website",
    "industry",
    "employee_count",
    "city",
    "region",
    "country",
    "description",
)
LONG_TEXT_FIELDS = {"description"}


def languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def text_in(texts: Any, language: str) -> str:
    """The text of ``texts`` (``{language: text}``) in ``language``, else English, else any."""
    if not isinstance(texts, dict):
        return ""
    for code in (language, language.split("-")[0], "en"):
        value = texts.get(code)
        if isinstance(value, str) and value.strip():
            return value
    return next((v for v in texts.values() if isinstance(v, str) and v.strip()), "")


def _texts_errors(where: str, what: str, texts: Any) -> list[str]:
    if not isinstance(texts, dict):
        return [
            _("%(where)s: %(what)s must be an object of language codes and texts.")
            % {"where": where, "what": what}
        ]
    return [
        _("%(where)s: give the %(what)s in %(language)s.")
        % {"where": where, "what": what, "language": code}
        for code in languages()
        if not (isinstance(texts.get(code), str) and texts[code].strip())
    ]


def fields_errors(value: list[Any]) -> list[str]:
    """What is wrong with a form's field list; empty when it is valid."""
    if not value:
        return [_("Add at least one field.")]
    custom = definitions_for("leads")
    errors: list[str] = []
    seen: set[str] = set()
    for i, item in enumerate(value):
        where = _("Field %(n)d") % {"n": i + 1}
        if not isinstance(item, dict):
            errors.append(_("%(where)s: expected an object.") % {"where": where})
            continue
        unknown = sorted(set(item) - {"name", "required", "label"})
        if unknown:
            errors.append(
                _("%(where)s: unknown keys %(keys)s (use name, required, label).")
                % {"where": where, "keys": ", ".join(unknown)}
            )
        name = item.get("name")
        if not isinstance(name, str) or not name:
            errors.append(_("%(where)s: give the name of a lead field.") % {"where": where})
            continue
        where = f"{where} ({name})"
        if name.startswith(CF_PREFIX):
            if name[len(CF_PREFIX) :] not in custom:
                errors.append(
                    _("%(where)s: there is no custom field of leads named %(name)s.")
                    % {"where": where, "name": name[len(CF_PREFIX) :]}
                )
        elif name not in LEAD_FIELDS:
            errors.append(
                _(
                    "%(where)s: not a lead field a form may ask for; choose from %(names)s "
                    "or cf.<custom field>."
                )
                % {"where": where, "names": ", ".join(LEAD_FIELDS)}
            )
        if name in seen:
            errors.append(_("%(where)s: this field is on the form twice.") % {"where": where})
        seen.add(name)
        if not isinstance(item.get("required", False), bool):
            errors.append(_("%(where)s: required must be true or false.") % {"where": where})
        errors.extend(_texts_errors(where, _("label"), item.get("label")))
    names = {item.get("name"): item for item in value if isinstance(item, dict)}
    family = names.get("family_name")
    if family is None or not family.get("required"):
        errors.append(_("A lead needs a family name: add family_name as a required field."))
    if "email" not in names and "phone" not in names:
        errors.append(_("Ask for an email address or a phone number (email or phone)."))
    return errors


def consents_errors(value: list[Any]) -> list[str]:
    """What is wrong with a form's consent checkboxes; empty when they are valid."""
    errors: list[str] = []
    seen: set[str] = set()
    for i, item in enumerate(value):
        where = _("Consent %(n)d") % {"n": i + 1}
        if not isinstance(item, dict):
            errors.append(_("%(where)s: expected an object.") % {"where": where})
            continue
        unknown = sorted(set(item) - {"purpose", "required", "wording"})
        if unknown:
            errors.append(
                _("%(where)s: unknown keys %(keys)s (use purpose, required, wording).")
                % {"where": where, "keys": ", ".join(unknown)}
            )
        purpose = item.get("purpose")
        if purpose not in ConsentPurpose.values:
            errors.append(
                _("%(where)s: purpose must be one of %(choices)s.")
                % {"where": where, "choices": ", ".join(ConsentPurpose.values)}
            )
        elif purpose in seen:
            errors.append(_("%(where)s: this purpose is on the form twice.") % {"where": where})
        seen.add(str(purpose))
        if not isinstance(item.get("required", False), bool):
            errors.append(_("%(where)s: required must be true or false.") % {"where": where})
        errors.extend(_texts_errors(where, _("wording"), item.get("wording")))
    return errors


def thank_you_errors(value: Any, redirect_url: str) -> list[str]:
    """The thank-you text is needed in every language, unless the form redirects."""
    if redirect_url:
        return []
    if not isinstance(value, dict):
        value = {}
    return [
        _("Give the thank-you text in %(language)s, or a redirect URL instead.")
        % {"language": code}
        for code in languages()
        if not (isinstance(value.get(code), str) and value[code].strip())
    ]


def origins_errors(value: list[Any]) -> list[str]:
    """Each origin is ``http(s)://host[:port]``, nothing more (it goes into a CSP header)."""
    errors: list[str] = []
    for item in value:
        parts = urlsplit(item) if isinstance(item, str) else None
        if (
            parts is None
            or parts.scheme not in ("http", "https")
            or not parts.hostname
            or parts.path not in ("", "/")
            or parts.query
            or parts.fragment
            or parts.username
            or any(c in item for c in " ;,'\"")
        ):
            errors.append(
                _("%(origin)r is not an origin; write it as https://www.example.com.")
                % {"origin": item}
            )
    return errors


def origin_of(value: str) -> str:
    parts = urlsplit(value)
    return f"{parts.scheme}://{parts.netloc}"


@dataclass
class Input:
    """One input of the hosted page, in the visitor's language."""

    name: str
    label: str
    required: bool
    kind: str  # text, email, tel, url, number, textarea, choice, bool
    choices: list[tuple[str, str]] = field(default_factory=list)
    max_length: int | None = None
    value: Any = ""
    errors: list[str] = field(default_factory=list)

    @property
    def input_id(self) -> str:
        return "wf-" + self.name.replace(".", "-")


_CUSTOM_KINDS = {
    CustomFieldType.LONG_TEXT: "textarea",
    CustomFieldType.INTEGER: "number",
    CustomFieldType.DECIMAL: "number",
    CustomFieldType.MONEY: "number",
    CustomFieldType.DATE: "date",
    CustomFieldType.BOOLEAN: "bool",
    CustomFieldType.CHOICE: "choice",
    CustomFieldType.URL: "url",
    CustomFieldType.EMAIL: "email",
}
_LEAD_KINDS = {"email": "email", "phone": "tel", "website": "url", "employee_count": "number"}


def _lead_input(name: str, label: str, required: bool) -> Input:
    model_field = Lead._meta.get_field(name)
    kind = "textarea" if name in LONG_TEXT_FIELDS else _LEAD_KINDS.get(name, "text")
    choices: list[tuple[str, str]] = []
    if isinstance(model_field, models.Field) and model_field.choices and name != "country":
        kind = "choice"
        choices = [(str(k), str(v)) for k, v in model_field.flatchoices]
    # A country is typed as a name ("Deutschland", "中国"): cleaned to its code when saved.
    max_length = None if name == "country" else getattr(model_field, "max_length", None)
    return Input(name, label, required, kind, choices, max_length if kind != "choice" else None)


def _custom_input(defn: CustomFieldDefinition, label: str, required: bool) -> Input:
    kind = _CUSTOM_KINDS.get(defn.field_type, "text")  # type: ignore[call-overload]
    choices = [(str(c), str(c)) for c in defn.choices or []] if kind == "choice" else []
    return Input(CF_PREFIX + defn.name, label, required, kind, choices, None)


def form_inputs(fields: list[dict[str, Any]], language: str) -> list[Input]:
    """The inputs of a form's field list, labelled in ``language``; fields that no longer
    exist (a custom field deleted since) are left out."""
    custom = definitions_for("leads")
    inputs: list[Input] = []
    for item in fields:
        name = str(item.get("name", ""))
        label = text_in(item.get("label"), language) or name
        required = bool(item.get("required"))
        if name.startswith(CF_PREFIX):
            defn = custom.get(name[len(CF_PREFIX) :])
            if defn is not None:
                inputs.append(_custom_input(defn, label, required))
        elif name in LEAD_FIELDS:
            inputs.append(_lead_input(name, label, required))
    return inputs
