from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.activities.models import Activity
from rapport.framework.actor import Actor
from rapport.framework.base_models import restricted
from rapport.framework.registry import record_type_for
from rapport.leads.services import lead_activity_logged, lead_activity_removed


def activity_prepare(*, actor: Actor, record: Activity, changed: set[str], **_kw: Any) -> None:
    """The linked record must exist and be visible to the actor; ``done`` stamps the time."""
    if (record.related_type_id is None) != (record.related_id is None):
        raise ValidationError(
            {
                "related_id": ValidationError(
                    _("Give both the related record type and its id, or neither."),
                    code="incomplete",
                )
            }
        )
    if record.related_type_id is not None and (
        {"related_type", "related_id"} & changed or record.pk is None
    ):
        model = ContentType.objects.get_for_id(record.related_type_id).model_class()
        rt = record_type_for(model) if model is not None else None
        if model is None or rt is None or rt.is_config:
            raise ValidationError(
                {
                    "related_type": ValidationError(
                        _("Activities cannot be linked to this kind of record."), code="invalid"
                    )
                }
            )
        if not restricted(model, actor.user, "view").filter(pk=record.related_id).exists():
            raise ValidationError(
                {
                    "related_id": ValidationError(
                        _("No such record, or you may not see it."), code="does_not_exist"
                    )
                }
            )
    if record.done and record.done_at is None:
        record.done_at = timezone.now()
    elif not record.done:
        record.done_at = None


def activity_after_save(
    *, actor: Actor, record: Activity, before: dict[str, Any] | None = None, **_kw: Any
) -> None:
    """A call, email or meeting with a lead is its first response (lead SLA); the leads it
    is and was linked to are scored again."""
    lead_activity_logged(activity=record, before=before)


def activity_after_delete(*, actor: Actor, record: Activity, **_kw: Any) -> None:
    """The lead a deleted activity was linked to is scored again."""
    lead_activity_removed(activity=record)
