from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _
from rest_framework import serializers

from rapport.activities.models import Activity
from rapport.framework.api.serializers import OwnedRecordSerializer
from rapport.framework.registry import get_record_type, record_type_key


class RecordTypeField(serializers.Field):  # type: ignore[type-arg]
    """A record type by its registry key (``contacts``) on the wire, a ContentType inside."""

    def to_representation(self, value: ContentType) -> str | None:
        model = value.model_class()
        return record_type_key(model) if model is not None else None

    def to_internal_value(self, data: Any) -> ContentType:
        try:
            model = get_record_type(str(data)).model
        except KeyError:
            raise serializers.ValidationError(
                _("Unknown record type “%(key)s”.") % {"key": data}, code="invalid_choice"
            ) from None
        return ContentType.objects.get_for_model(model)


class ActivitySerializer(OwnedRecordSerializer):
    record_type_key = "activities"
    related_type = RecordTypeField(required=False, allow_null=True)

    class Meta:
        model = Activity
        fields = [
            *OwnedRecordSerializer.RECORD_FIELDS,
            "kind",
            "subject",
            "body",
            "due_at",
            "start_at",
            "end_at",
            "done",
            "done_at",
            "related_type",
            "related_id",
            "participant_users",
            "participant_contacts",
        ]
        read_only_fields = ["done_at"]
