"""Generic-suite specs of tags and custom-field definitions."""

from __future__ import annotations

from rapport.framework.testing.factories import CustomFieldFactory, TagFactory
from rapport.framework.testing.specs import ConfigRecordSpec, register_spec

register_spec(
    ConfigRecordSpec(
        key="tags",
        build=lambda: TagFactory(),
        create_payload=lambda: {"name": "vip", "color": "#112233"},
        update_payload=lambda: {"color": "#ff0000"},
    )
)

register_spec(
    ConfigRecordSpec(
        key="custom-fields",
        build=lambda: CustomFieldFactory(),
        create_payload=lambda: {
            "record_type": "accounts",
            "name": "budget",
            "label": "Budget",
            "field_type": "text",
        },
        update_payload=lambda: {"label": "Yearly budget", "description": "In thousands"},
    )
)
