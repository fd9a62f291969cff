"""Lead conversion: a qualified lead becomes an account (or joins an existing one), a contact
and optionally an opportunity, in one transaction.

Every record is written through the framework services, so each gets its change-log entry,
search entry and events, and the actor's permissions are checked as for any other write.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.accounts.models import Account
from rapport.activities.models import Activity
from rapport.contacts.models import Contact
from rapport.currencies.models import Currency
from rapport.currencies.selectors import base_currency
from rapport.framework.actor import Actor
from rapport.framework.audit import changelog_write
from rapport.framework.base_models import restricted
from rapport.framework.choices import ChangeAction
from rapport.framework.exceptions import RecordNotFound, RecordPermissionDenied
from rapport.framework.registry import get_record_type
from rapport.framework.services import record_create, record_update
from rapport.leads.choices import LeadStatus
from rapport.leads.models import Lead
from rapport.opportunities.choices import StageKind
from rapport.opportunities.models import Opportunity, Pipeline, Stage
from rapport.privacy.models import Consent

# Opportunity fields as the conversion input names them (the form and the API).
OPPORTUNITY_FIELDS = {
    "name": "opportunity_name",
    "amount": "amount",
    "currency": "currency",
    "pipeline": "pipeline",
    "stage": "pipeline",
    "expected_close_date": "close_date",
}


@dataclass(frozen=True)
class OpportunityInput:
    """What the user chose for the opportunity; blanks take the defaults (the lead's company
    as name, the default pipeline and its first open stage, the base currency)."""

    name: str = ""
    amount: Decimal | None = None
    currency: str = ""
    pipeline: Pipeline | None = None
    close_date: dt.date | None = None


@dataclass(frozen=True)
class Conversion:
    lead: Lead
    account: Account
    account_created: bool
    contact: Contact
    opportunity: Opportunity | None
    activities_moved: int
    consents_moved: int


def _lead_locked(actor: Actor, lead: Lead) -> Lead:
    """The lead, locked for the conversion; not found / denied as for any other change."""
    locked = restricted(Lead, actor.user, "change").select_for_update().filter(pk=lead.pk).first()
    if locked is None:
        if not restricted(Lead, actor.user, "view").filter(pk=lead.pk).exists():
            raise RecordNotFound()
        raise RecordPermissionDenied()
    return locked  # type: ignore[no-any-return]


def _already_converted(lead: Lead) -> ValidationError:
    return ValidationError(
        _("This lead was already converted on %(date)s; it cannot be converted again.")
        % {"date": timezone.localtime(lead.converted_at).date().isoformat()}
        if lead.converted_at
        else _("This lead was already converted; it cannot be converted again."),
        code="already_converted",
    )


def _account_new(actor: Actor, lead: Lead) -> Account:
    data: dict[str, Any] = {
        "name": lead.company or lead.display_name,
        "website": lead.website,
        "industry": lead.industry,
        "employee_count": lead.employee_count,
        "phone": lead.phone,
        "billing_city": lead.city,
        "billing_region": lead.region,
        "billing_country": lead.country,
        "source": lead.source,
        "team": lead.team,
    }
    return record_create(  # type: ignore[return-value]
        actor=actor, record_type=get_record_type("accounts"), data=data
    )


def _contact_new(actor: Actor, lead: Lead, account: Account) -> Contact:
    data: dict[str, Any] = {
        "salutation": lead.salutation,
        "given_name": lead.given_name,
        "family_name": lead.family_name,
        "job_title": lead.job_title,
        "city": lead.city,
        "region": lead.region,
        "country": lead.country,
        "description": lead.description,
        "team": lead.team,
    }
    children: dict[str, list[dict[str, Any]]] = {
        "memberships": [{"account": account, "is_primary": True}],
        "emails": [{"email": lead.email, "label": "work", "is_primary": True}]
        if lead.email
        else [],
        "phones": [{"number": lead.phone, "label": "work", "is_primary": True}]
        if lead.phone
        else [],
    }
    return record_create(  # type: ignore[return-value]
        actor=actor, record_type=get_record_type("contacts"), data=data, children=children
    )


def _first_open_stage(pipeline: Pipeline) -> Stage | None:
    return (
        Stage.objects.filter(pipeline=pipeline, kind=StageKind.OPEN)
        .order_by("position", "id")
        .first()
    )


def _opportunity_new(
    actor: Actor, lead: Lead, account: Account, contact: Contact, given: OpportunityInput
) -> Opportunity:
    pipeline = given.pipeline or Pipeline.objects.order_by("-is_default", "position", "id").first()
    if pipeline is None:
        raise ValidationError(
            {"pipeline": ValidationError(_("There is no pipeline yet."), code="required")}
        )
    stage = _first_open_stage(pipeline)
    if stage is None:
        raise ValidationError(
            {
                "pipeline": ValidationError(
                    _("The pipeline “%(name)s” has no open stage.") % {"name": pipeline.name},
                    code="no_open_stage",
                )
            }
        )
    code = given.currency or base_currency()
    currency = Currency.objects.filter(pk=code, active=True).first()
    if currency is None:
        raise ValidationError(
            {"currency": ValidationError(_("No such active currency."), code="does_not_exist")}
        )
    data: dict[str, Any] = {
        "name": given.name.strip() or account.name,
        "account": account,
        "primary_contact": contact,
        "pipeline": pipeline,
        "stage": stage,
        "amount": given.amount,
        "currency": currency,
        "expected_close_date": given.close_date,
        "source": lead.source,
        "team": lead.team,
    }
    try:
        return record_create(  # type: ignore[return-value]
            actor=actor, record_type=get_record_type("opportunities"), data=data
        )
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        # Named as the conversion input names them, so the form shows them by their fields.
        raise ValidationError(
            {OPPORTUNITY_FIELDS.get(k, k): v for k, v in exc.error_dict.items()}
        ) from None


def _history_move(actor: Actor, lead: Lead, contact: Contact) -> tuple[int, int]:
    """The lead's activities now concern the contact (each move in the change log); its
    consents are the contact's. Web-form submissions stay linked to the lead, which links to
    the contact."""
    lead_type = ContentType.objects.get_for_model(Lead)
    contact_type = ContentType.objects.get_for_model(Contact)
    moved = list(Activity.objects.filter(related_type=lead_type, related_id=lead.pk))
    Activity.objects.filter(pk__in=[a.pk for a in moved]).update(
        related_type=contact_type, related_id=contact.pk
    )
    for activity in moved:
        changelog_write(
            actor=actor,
            action=ChangeAction.UPDATE,
            record=activity,
            object_id=activity.pk,
            before={"related_type": lead_type.pk, "related_id": lead.pk},
            after={"related_type": contact_type.pk, "related_id": contact.pk},
        )
    consents = Consent.objects.filter(lead=lead).update(lead=None, contact=contact)
    return len(moved), consents


@transaction.atomic
def lead_convert(
    *,
    actor: Actor,
    lead: Lead,
    account: Account | None = None,
    create_opportunity: bool = False,
    opportunity: OpportunityInput | None = None,
) -> Conversion:
    """Convert ``lead``: into ``account`` (an existing one the actor may see, e.g. the
    duplicate matcher's candidate the user chose) or a new account from the lead's company,
    a contact who is a member of it, and with ``create_opportunity`` an opportunity in the
    first open stage. The lead's activities and consents move to the contact; the lead is
    marked qualified and links to what it became.

    Refused, with nothing written: a lead converted before (``already_converted``), a lead
    the actor may not change (not found / denied), an account they may not see, any invalid
    value in the opportunity part.
    """
    lead = _lead_locked(actor, lead)
    if lead.converted_at is not None or lead.converted_contact_id is not None:
        raise ValidationError(_already_converted(lead))
    created = account is None
    if account is not None:
        if not restricted(Account, actor.user, "view").filter(pk=account.pk).exists():
            raise ValidationError(
                {
                    "account": ValidationError(
                        _("No such record, or you may not see it."), code="does_not_exist"
                    )
                }
            )
    else:
        account = _account_new(actor, lead)
    contact = _contact_new(actor, lead, account)
    opp = None
    if create_opportunity:
        opp = _opportunity_new(actor, lead, account, contact, opportunity or OpportunityInput())
    moved_activities, moved_consents = _history_move(actor, lead, contact)
    lead = record_update(  # type: ignore[assignment]
        actor=actor,
        record_type=get_record_type("leads"),
        record=lead,
        data={
            "status": LeadStatus.QUALIFIED,
            "converted_at": timezone.now(),
            "converted_account": account,
            "converted_contact": contact,
            "converted_opportunity": opp,
        },
    )
    return Conversion(
        lead=lead,
        account=account,
        account_created=created,
        contact=contact,
        opportunity=opp,
        activities_moved=moved_activities,
        consents_moved=moved_consents,
    )
