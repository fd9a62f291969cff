"""Base serializers: shape and validate input, then hand it to the framework services."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django_countries.serializer_fields import CountryField
from django_countries.serializers import CountryFieldMixin
from rest_framework import serializers
from rest_framework.relations import ManyRelatedField, RelatedField

from rapport.core.models import Tag
from rapport.framework.actor import Actor
from rapport.framework.api.fields import LenientCountryField
from rapport.framework.choices import ActorKind, Channel
from rapport.framework.registry import RecordType, get_record_type
from rapport.framework.services import record_create, record_update
from rapport.identity.choices import TokenScope
from rapport.identity.models import ApiToken, User


def actor_from_request(request: Any, channel: Channel = Channel.API) -> Actor:
    auth = getattr(request, "auth", None)
    token = auth if isinstance(auth, ApiToken) else None
    return Actor(
        user=request.user,
        kind=ActorKind.API_TOKEN if token else ActorKind.USER,
        channel=channel,
        request_id=getattr(request, "request_id", "")
        or getattr(getattr(request, "_request", None), "request_id", ""),
        token_id=token.pk if token else None,
        read_only=token is not None and token.scope != TokenScope.READ_WRITE,
    )


class RestrictedFieldsMixin:
    """Related-record fields offer only the records the requesting user may see."""

    def get_fields(self) -> dict[str, serializers.Field]:
        fields: dict[str, serializers.Field] = super().get_fields()  # type: ignore[misc]
        request = self.context.get("request")  # type: ignore[attr-defined]
        user = getattr(request, "user", None)
        for field in fields.values():
            relation = field.child_relation if isinstance(field, ManyRelatedField) else field
            if isinstance(relation, RelatedField) and not relation.read_only:
                target: Any = relation
                if target.queryset is not None and hasattr(target.queryset, "restrict"):
                    target.queryset = target.queryset.restrict(user, "view")
        return fields


class ChildSerializer(RestrictedFieldsMixin, serializers.ModelSerializer):
    """A row written together with its record (emails, phones, memberships, ...)."""


class RecordSerializer(RestrictedFieldsMixin, CountryFieldMixin, serializers.ModelSerializer):
    """Serializer of a record type; writes go through ``record_create``/``record_update``."""

    record_type_key: ClassVar[str]

    def build_standard_field(self, field_name: str, model_field: Any) -> tuple[Any, Any]:
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if field_class is CountryField:
            field_class = LenientCountryField
        return field_class, kwargs

    def record_type(self) -> RecordType:
        return get_record_type(self.record_type_key)

    def _split(
        self, validated: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, list[Any]], dict[str, list[dict[str, Any]]]]:
        rt = self.record_type()
        child_names = {c.name for c in rt.children}
        data: dict[str, Any] = {}
        relations: dict[str, list[Any]] = {}
        children: dict[str, list[dict[str, Any]]] = {}
        for name, value in validated.items():
            if name in child_names:
                children[name] = value
                continue
            try:
                field = rt.model._meta.get_field(name)
            except FieldDoesNotExist:
                data[name] = value
                continue
            if field.many_to_many:
                relations[name] = list(value)
            else:
                data[name] = value
        return data, relations, children

    def create(self, validated_data: dict[str, Any]) -> models.Model:
        data, relations, children = self._split(validated_data)
        return record_create(
            actor=actor_from_request(
                self.context["request"], self.context.get("channel", Channel.API)
            ),
            record_type=self.record_type(),
            data=data,
            relations=relations,
            children=children,
        )

    def update(self, instance: models.Model, validated_data: dict[str, Any]) -> models.Model:
        data, relations, children = self._split(validated_data)
        return record_update(
            actor=actor_from_request(
                self.context["request"], self.context.get("channel", Channel.API)
            ),
            record_type=self.record_type(),
            record=instance,
            data=data,
            relations=relations,
            children=children,
        )


class OwnedRecordSerializer(RecordSerializer):
    """For record types built on RecordModel: owner, team, tags, custom fields, audit stamps."""

    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False
    )
    tags = serializers.SlugRelatedField(
        many=True, slug_field="name", queryset=Tag.objects.all(), required=False
    )
    custom_fields = serializers.JSONField(required=False)

    RECORD_FIELDS: ClassVar[list[str]] = [
        "id",
        "owner",
        "team",
        "tags",
        "custom_fields",
        "created_at",
        "updated_at",
        "created_by",
        "updated_by",
    ]
