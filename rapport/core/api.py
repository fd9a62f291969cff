from rapport.core.models import CustomFieldDefinition, Tag
from rapport.framework.api.serializers import RecordSerializer


class TagSerializer(RecordSerializer):
    record_type_key = "tags"

    class Meta:
        model = Tag
        fields = ["id", "name", "color"]


class CustomFieldDefinitionSerializer(RecordSerializer):
    record_type_key = "custom-fields"

    class Meta:
        model = CustomFieldDefinition
        fields = [
            "id",
            "record_type",
            "name",
            "label",
            "label_zh",
            "field_type",
            "required",
            "default",
            "choices",
            "reference_type",
            "position",
            "description",
        ]
