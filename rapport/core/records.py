from rapport.core.api import CustomFieldDefinitionSerializer, TagSerializer
from rapport.core.models import CustomFieldDefinition, Tag
from rapport.core.services import custom_field_prepare
from rapport.framework.filtersets import LeanFilterSet, field_lookups
from rapport.framework.registry import RecordType, register


class TagFilterSet(LeanFilterSet):
    class Meta:
        model = Tag
        fields = field_lookups(Tag)


class CustomFieldFilterSet(LeanFilterSet):
    class Meta:
        model = CustomFieldDefinition
        fields = field_lookups(CustomFieldDefinition)


register(
    RecordType(
        key="tags",
        model=Tag,
        serializer=TagSerializer,
        filterset=TagFilterSet,
        search_fields=("name",),
        list_columns=("name", "color"),
        ordering_fields=("name",),
        default_ordering=("name",),
        is_config=True,
    )
)
register(
    RecordType(
        key="custom-fields",
        model=CustomFieldDefinition,
        serializer=CustomFieldDefinitionSerializer,
        filterset=CustomFieldFilterSet,
        list_columns=("record_type", "name", "label", "field_type"),
        ordering_fields=("record_type", "position", "name"),
        default_ordering=("record_type", "position"),
        prepare=custom_field_prepare,
        is_config=True,
    )
)
