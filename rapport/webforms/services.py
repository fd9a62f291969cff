"""Writes of the web-forms app: a visitor's submission, and staff's "not spam".

``webform_submit`` runs the checks in this order, each one cheaper than the next:

1. per-address rate limit (fixed windows: a minute and a day, per form): over it, the
   submission is refused with ``WebFormRateLimited`` (HTTP 429) and **not stored**. A flood
   would otherwise fill the database with whatever its sender chooses; the sender's values come
   back in the re-rendered page, so a person who hit the limit loses nothing they typed.
2. size limit: over it, ``WebFormTooLarge`` (HTTP 413), not stored (same reason).
3. spam checks (honeypot filled, sent too fast or without a valid signed token, too many
   links): the submission **is stored** with status ``spam`` and its reasons, and no lead is
   written; staff can review it and turn it into a lead (``webform_submission_accept``).
4. validation of the values (required fields, email address, lengths, choices, required
   consents): ``WebFormInvalid`` with a message per field; nothing is stored, the visitor
   corrects the form.
5. the lead: an existing lead with the same email address (else the same phone number) is
   completed (empty fields filled in, nothing overwritten); otherwise a new lead is created
   through the lead record type, so names, email, phone and country are cleaned as on every
   other way in. Consents are recorded with the exact wording shown. A lead that cannot be
   written for a reason the visitor cannot fix keeps the submission as ``rejected``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from rapport.accounts.choices import Source
from rapport.framework.actor import Actor
from rapport.framework.api.counters import counter_hit
from rapport.framework.base_models import restricted
from rapport.framework.choices import Channel
from rapport.framework.exceptions import RecordNotFound, RecordPermissionDenied
from rapport.framework.registry import get_record_type
from rapport.framework.services import record_create, record_update
from rapport.framework.text import phone_e164
from rapport.leads.models import Lead
from rapport.privacy.choices import ConsentSource
from rapport.privacy.services import consent_record
from rapport.webforms.choices import LeadOutcome, SpamReason, SubmissionStatus
from rapport.webforms.design import CF_PREFIX, Input, form_inputs, text_in
from rapport.webforms.models import WebForm, WebFormSubmission

HONEYPOT = "website_url"  # a name bots like to fill in
TOKEN = "wf_token"
REFERRER = "wf_referrer"  # the page the visitor came from, carried by the form
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
_TOKEN_SALT = "rapport.webforms.token"
_LINK = re.compile(r"https?://|www\.", re.IGNORECASE)
# What the payload keeps of a submission: at most this many keys, each value this long.
_PAYLOAD_KEYS = 100
_PAYLOAD_VALUE = 10_000


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def rate_per_minute() -> int:
    return _setting("RAPPORT_WEBFORM_RATE_PER_MINUTE", 5)


def rate_per_day() -> int:
    return _setting("RAPPORT_WEBFORM_RATE_PER_DAY", 50)


def max_bytes() -> int:
    return _setting("RAPPORT_WEBFORM_MAX_BYTES", 64 * 1024)


def min_seconds() -> int:
    return _setting("RAPPORT_WEBFORM_MIN_SECONDS", 2)


def max_links() -> int:
    return _setting("RAPPORT_WEBFORM_MAX_LINKS", 3)


class WebFormRefused(Exception):
    """A submission refused before anything was stored; ``status`` is the HTTP status."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class WebFormRateLimited(WebFormRefused):
    status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class WebFormTooLarge(WebFormRefused):
    status = 413


class WebFormInvalid(Exception):
    """The values need correcting: messages by input name ("" for the form as a whole)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class SubmissionMeta:
    """Where a submission came from, as the view saw the request."""

    ip: str | None
    user_agent: str = ""
    referrer: str = ""
    utm: dict[str, str] = field(default_factory=dict)
    body_size: int = 0
    language: str = "en"


@dataclass
class CleanValues:
    lead: dict[str, Any]
    custom: dict[str, Any]
    consents: list[dict[str, Any]]  # the form's consent items the visitor ticked


def form_token(form: WebForm, *, rendered_at: float | None = None) -> str:
    """A signed token of the form and the time it was rendered (now): proves that a submission
    comes from a page this server rendered, and how long the visitor took."""
    stamp = time.time() if rendered_at is None else rendered_at
    return signing.dumps({"form": form.pk, "t": stamp}, salt=_TOKEN_SALT)


def _token_age(form: WebForm, token: str) -> float | None:
    """Seconds since the token was made; None when it is missing, forged or for another form."""
    try:
        value = signing.loads(token, salt=_TOKEN_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict) or value.get("form") != form.pk:
        return None
    rendered = value.get("t")
    return time.time() - rendered if isinstance(rendered, (int, float)) else None


def consent_input_name(purpose: str) -> str:
    return f"consent_{purpose}"


def _rate_check(form: WebForm, ip: str | None) -> None:
    now = time.time()
    for suffix, seconds, limit in (("m", 60, rate_per_minute()), ("d", 86_400, rate_per_day())):
        window = int(now // seconds)
        hits = counter_hit(
            f"webform:{form.pk}:{ip or '-'}:{suffix}", window=window, ttl=seconds + 1
        )
        if hits > limit:
            wait = max(int((window + 1) * seconds - now) + 1, 1)
            raise WebFormRateLimited(
                _(
                    "Too many submissions from your address. Nothing was saved; please send "
                    "the form again in %(seconds)d seconds."
                )
                % {"seconds": wait},
                retry_after=wait,
            )


def _value(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name, "")
    return value if isinstance(value, str) else ""


def _payload(data: Mapping[str, Any]) -> dict[str, Any]:
    """What was submitted, without the token, each value capped."""
    payload: dict[str, Any] = {}
    for key in list(data.keys())[:_PAYLOAD_KEYS]:
        if key == TOKEN:
            continue
        payload[str(key)[:200]] = _value(data, key)[:_PAYLOAD_VALUE]
    return payload


def _spam_reasons(form: WebForm, data: Mapping[str, Any]) -> list[str]:
    reasons: list[str] = []
    if _value(data, HONEYPOT).strip():
        reasons.append(SpamReason.HONEYPOT)
    age = _token_age(form, _value(data, TOKEN))
    if age is None:
        reasons.append(SpamReason.BAD_TOKEN)
    elif age < min_seconds():
        reasons.append(SpamReason.TOO_FAST)
    # Links in what the visitor typed; the referrer and UTM values the page carries don't count.
    carried = {HONEYPOT, TOKEN, REFERRER, *UTM_KEYS}
    links = sum(len(_LINK.findall(_value(data, k))) for k in data if k not in carried)
    if links > max_links():
        reasons.append(SpamReason.TOO_MANY_LINKS)
    return reasons


def _input_value(item: Input, data: Mapping[str, Any]) -> tuple[Any, str | None]:
    """The cleaned value of one input, and an error message."""
    if item.kind == "bool":
        ticked = item.name in data and _value(data, item.name) not in ("", "0", "false")
        return ticked, (
            _("Tick this box to send the form.") if item.required and not ticked else None
        )
    raw = _value(data, item.name).strip()
    if not raw:
        return ("" if not item.name.startswith(CF_PREFIX) else None), (
            _("This field is required.") if item.required else None
        )
    if "\x00" in raw:
        return raw, _("Null characters are not allowed.")
    if item.max_length and len(raw) > item.max_length:
        return raw, _("At most %(limit)d characters.") % {"limit": item.max_length}
    if item.kind == "email":
        try:
            validate_email(raw)
        except ValidationError:
            return raw, _("Enter a valid email address.")
    if item.kind == "choice" and raw not in {value for value, _label in item.choices}:
        return raw, _("Select one of the choices.")
    if item.name == "employee_count":
        if not raw.isdigit() or int(raw) > 2_147_483_647:
            return raw, _("Enter a whole number.")
        return int(raw), None
    return raw, None


def values_clean(*, form: WebForm, data: Mapping[str, Any]) -> CleanValues:
    """The lead fields, custom fields and ticked consents of a submission; WebFormInvalid with
    a message beside each field that needs correcting."""
    errors: dict[str, list[str]] = {}
    lead: dict[str, Any] = {}
    custom: dict[str, Any] = {}
    for item in form_inputs(form.fields, "en"):
        value, error = _input_value(item, data)
        if error:
            errors.setdefault(item.name, []).append(error)
        elif item.name.startswith(CF_PREFIX):
            if value not in (None, ""):
                custom[item.name[len(CF_PREFIX) :]] = value
        else:
            lead[item.name] = value
    consents: list[dict[str, Any]] = []
    for consent in form.consents:
        name = consent_input_name(str(consent.get("purpose")))
        if name in data:
            consents.append(consent)
        elif consent.get("required"):
            errors.setdefault(name, []).append(_("Tick this box to send the form."))
    if errors:
        raise WebFormInvalid(errors)
    return CleanValues(lead, custom, consents)


def _lead_match(values: CleanValues) -> Lead | None:
    """The lead these values describe again: same email address first, else same phone.

    Matched over every lead, not only those the form's owner may see: the form is the
    organisation's, and a second lead for the same person is what deduplication prevents.
    """
    email = str(values.lead.get("email") or "").strip()
    if email:
        found = Lead.objects.filter(email__iexact=email).order_by("created_at", "id").first()
        if found is not None:
            return found
    phone = phone_e164(str(values.lead.get("phone") or ""))
    if phone:
        return Lead.objects.filter(phone_e164=phone).order_by("created_at", "id").first()
    return None


def _empty(value: Any) -> bool:
    return value in (None, "") or (hasattr(value, "code") and not value.code)


def _lead_write(form: WebForm, values: CleanValues) -> tuple[Lead, LeadOutcome, Actor]:
    """Complete the matching lead or create one; the lead, what happened, and the actor."""
    record_type = get_record_type("leads")
    existing = _lead_match(values)
    if existing is None:
        # No owner named: the assignment rules choose one (rapport.assignment); when none
        # applies, the lead goes to the form's owner (the actor) and team.
        actor = Actor.system(channel=Channel.WEB_FORM, user=form.lead_owner)
        data = {
            **{k: v for k, v in values.lead.items() if not _empty(v)},
            "team": form.lead_team,
            "source": Source.WEB,
            "custom_fields": values.custom,
        }
        lead: Any = record_create(actor=actor, record_type=record_type, data=data)
        # Its consents are written as its owner, who may be someone the rules chose.
        return lead, LeadOutcome.CREATED, Actor.system(channel=Channel.WEB_FORM, user=lead.owner)
    # The lead's own owner may always change it; the form's owner may not.
    owner = existing.owner if existing.owner.is_active else form.lead_owner
    actor = Actor.system(channel=Channel.WEB_FORM, user=owner)
    changes: dict[str, Any] = {
        k: v for k, v in values.lead.items() if not _empty(v) and _empty(getattr(existing, k))
    }
    new_custom = {k: v for k, v in values.custom.items() if k not in existing.custom_fields}
    if new_custom:
        changes["custom_fields"] = new_custom
    if not changes:
        return existing, LeadOutcome.UNCHANGED, actor
    lead = record_update(actor=actor, record_type=record_type, record=existing, data=changes)
    return lead, LeadOutcome.UPDATED, actor


def _problems(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            (CF_PREFIX + k[len("custom_fields.") :] if k.startswith("custom_fields.") else k): v
            for k, v in exc.message_dict.items()
        }
    return {"": list(exc.messages)}


def _lead_with_consents(
    form: WebForm, values: CleanValues, language: str, input_names: set[str]
) -> tuple[Lead | None, str, dict[str, list[str]]]:
    """Write the lead and its consents in one transaction: ``(lead, outcome, problems)``.

    Problems with a field the visitor filled in raise WebFormInvalid (nothing written); others
    (a required custom field the form does not ask for, an owner who may no longer be given
    leads) come back as ``problems`` with nothing written.
    """
    try:
        with transaction.atomic():
            lead, outcome, actor = _lead_write(form, values)
            for consent in values.consents:
                consent_record(
                    actor=actor,
                    person=lead,
                    purpose=str(consent["purpose"]),
                    granted=True,
                    source=ConsentSource.WEB_FORM,
                    wording=text_in(consent.get("wording"), language),
                )
    except ValidationError as exc:
        problems = _problems(exc)
        visible = {k: v for k, v in problems.items() if k in input_names}
        if visible:
            raise WebFormInvalid(visible) from None
        return None, "", problems
    except (RecordPermissionDenied, RecordNotFound) as exc:
        return None, "", {"": [str(exc) or _("The lead could not be written.")]}
    return lead, outcome, {}


@transaction.atomic
def webform_submit(
    *, form: WebForm, data: Mapping[str, Any], meta: SubmissionMeta
) -> WebFormSubmission:
    """Take one submission of ``form`` (see the module docstring for the order of checks).

    Raises WebFormRateLimited, WebFormTooLarge (nothing stored) or WebFormInvalid (nothing
    stored, messages by field); otherwise returns the stored submission: accepted (with its
    lead), spam, or rejected (with its problems).
    """
    _rate_check(form, meta.ip)
    if meta.body_size > max_bytes():
        raise WebFormTooLarge(
            _("The form is too large to send (at most %(kb)d KB). Nothing was saved.")
            % {"kb": max_bytes() // 1024}
        )
    submission = WebFormSubmission(
        form=form,
        ip=meta.ip or None,
        user_agent=meta.user_agent[:500],
        referrer=meta.referrer[:1000],
        language=meta.language[:10],
        payload=_payload(data),
        **{key: meta.utm.get(key, "")[:200] for key in UTM_KEYS},
    )
    reasons = _spam_reasons(form, data)
    if reasons:
        submission.status = SubmissionStatus.SPAM
        submission.spam_reasons = reasons
        submission.save()
        return submission
    values = values_clean(form=form, data=data)
    return _submission_finish(submission, form, values, meta.language)


def _submission_finish(
    submission: WebFormSubmission, form: WebForm, values: CleanValues, language: str
) -> WebFormSubmission:
    names = {i.name for i in form_inputs(form.fields, "en")}
    lead, outcome, problems = _lead_with_consents(form, values, language, names)
    submission.status = SubmissionStatus.ACCEPTED if lead else SubmissionStatus.REJECTED
    submission.lead = lead
    submission.lead_outcome = outcome
    submission.problems = problems
    submission.save()
    return submission


@transaction.atomic
def webform_submission_accept(*, actor: Actor, submission: WebFormSubmission) -> WebFormSubmission:
    """Staff's "not spam": write the lead of a spam (or rejected) submission from its payload.

    Needs change access to the form (administrators). The payload is validated like a
    visitor's submission; what is wrong comes back as a ValidationError naming the fields.
    """
    if actor.user is None or actor.read_only:
        raise RecordPermissionDenied()
    if not restricted(WebForm, actor.user, "change").filter(pk=submission.form_id).exists():
        raise RecordPermissionDenied()
    submission = WebFormSubmission.objects.select_for_update().get(pk=submission.pk)
    if submission.status == SubmissionStatus.ACCEPTED:
        raise ValidationError(_("This submission was already accepted."), code="already_accepted")
    form = submission.form
    try:
        values = values_clean(form=form, data=submission.payload)
        names = {i.name for i in form_inputs(form.fields, "en")}
        lead, outcome, problems = _lead_with_consents(
            form, values, submission.language or "en", names
        )
    except WebFormInvalid as exc:
        raise ValidationError(
            {name or "payload": msgs for name, msgs in exc.errors.items()}, code="invalid"
        ) from None
    if lead is None:
        raise ValidationError({k or "payload": v for k, v in problems.items()}, code="invalid")
    submission.status = SubmissionStatus.ACCEPTED
    submission.lead = lead
    submission.lead_outcome = outcome
    submission.problems = {}
    submission.reviewed_by = actor.user
    submission.save()
    return submission


def webform_person_erase(person: Any) -> int:
    """The privacy app's eraser: a lead's submissions go with its personal data."""
    return webform_submissions_erase(lead=person) if isinstance(person, Lead) else 0


def webform_submissions_erase(*, lead: Lead) -> int:
    """Delete the submissions that brought in ``lead`` (payload and address are personal data);
    for the privacy app's erasure of a person. The number deleted."""
    deleted, _by_model = WebFormSubmission.objects.filter(lead=lead).delete()
    return deleted
