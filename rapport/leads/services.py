"""Domain rules of leads: cleaning, assignment rules on creation, the first response, and
what moves when two leads are merged."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.activities.choices import ActivityKind
from rapport.activities.models import Activity
from rapport.assignment.services import lead_assign
from rapport.framework.actor import Actor
from rapport.framework.merge import MergeMoves, related_by_type_move
from rapport.framework.text import person_display_name, person_name_clean, phone_e164
from rapport.leads.choices import LeadStatus
from rapport.leads.models import Lead
from rapport.privacy.models import Consent
from rapport.scoring.services import lead_activities_changed, lead_score_refresh


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
    if record._state.adding:
        # Assignment rules on every way in; "owner" is among the changed names only when the
        # input named one (record_create's default owner is not).
        lead_assign(actor=actor, lead=record, owner_given="owner" in changed)
    elif "status" in changed and record.status != LeadStatus.NEW and record.responded_at is None:
        record.responded_at = timezone.now()  # leaving "new" is a first response
    # Last: the scores read the lead as it will be saved.
    lead_score_refresh(lead=record)


def lead_merge_related(
    *, actor: Actor, survivor: Lead, other: Lead, moves: MergeMoves, **_kw: Any
) -> None:
    """Move onto ``survivor`` the activities and consents of ``other``."""
    related_by_type_move(moves=moves, model=Activity, survivor=survivor, other=other)
    moves.update(Consent.objects.filter(lead=other), lead_id=survivor.pk)


# Activities that are an answer to the prospect (a task or a note is not).
RESPONSE_KINDS = (ActivityKind.CALL, ActivityKind.EMAIL, ActivityKind.MEETING)


def _lead_of(related_type_id: int | None, related_id: Any) -> int | None:
    """The id of the lead an activity's link points to, or None."""
    if related_id is None or related_type_id != ContentType.objects.get_for_model(Lead).pk:
        return None
    return int(related_id)


def lead_activity_logged(*, activity: Activity, before: dict[str, Any] | None = None) -> None:
    """Called when an activity is saved: the lead it is linked to is scored again (rules
    and the model count activities), and a call, email or meeting is its first response if
    it has none yet (the SLA stops counting). A lead the activity was moved away from
    (``before``, its snapshot) is scored again too."""
    lead_id = _lead_of(activity.related_type_id, activity.related_id)
    if before is not None:
        previous = _lead_of(before.get("related_type"), before.get("related_id"))
        if previous is not None and previous != lead_id:
            lead_activities_changed(lead_id=previous)
    if lead_id is None:
        return
    lead_activities_changed(lead_id=lead_id)
    if activity.kind not in RESPONSE_KINDS:
        return
    Lead.objects.filter(pk=lead_id, responded_at__isnull=True).update(responded_at=timezone.now())


def lead_activity_removed(*, activity: Activity) -> None:
    """Called when an activity is deleted: the lead it was linked to is scored again. Its
    first response stays: the lead was answered."""
    lead_id = _lead_of(activity.related_type_id, activity.related_id)
    if lead_id is not None:
        lead_activities_changed(lead_id=lead_id)
