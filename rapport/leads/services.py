from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from rapport.activities.models import Activity
from rapport.framework.actor import Actor
from rapport.framework.merge import MergeMoves, related_by_type_move
from rapport.framework.text import person_display_name, person_name_clean, phone_e164
from rapport.leads.choices import LeadStatus
from rapport.leads.models import Lead
from rapport.privacy.models import Consent


def lead_prepare(*, actor: Actor, record: Lead, changed: set[str], **_kw: Any) -> None:
    """Names and phone normalised; a disqualified lead needs its reason, others none."""
    record.given_name = person_name_clean(record.given_name)
    record.family_name = person_name_clean(record.family_name)
    record.display_name = person_display_name(record.given_name, record.family_name)
    record.phone_e164 = phone_e164(record.phone)
    if record.email:
        local, _at, domain = record.email.strip().rpartition("@")
        record.email = f"{local}@{domain.lower()}"
    if record.status == LeadStatus.DISQUALIFIED and not record.disqualified_reason:
        raise ValidationError(
            {
                "disqualified_reason": ValidationError(
                    _("Give the reason when disqualifying a lead."), code="required"
                )
            }
        )
    if record.status != LeadStatus.DISQUALIFIED:
        record.disqualified_reason = ""


def lead_merge_related(
    *, actor: Actor, survivor: Lead, other: Lead, moves: MergeMoves, **_kw: Any
) -> None:
    """Move onto ``survivor`` the activities and consents of ``other``."""
    related_by_type_move(moves=moves, model=Activity, survivor=survivor, other=other)
    moves.update(Consent.objects.filter(lead=other), lead_id=survivor.pk)
