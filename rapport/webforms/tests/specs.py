"""Generic-suite spec of web forms (configuration)."""

from __future__ import annotations

from rapport.framework.testing.specs import ConfigRecordSpec, register_spec
from rapport.webforms.tests.factories import create_payload, webform

register_spec(
    ConfigRecordSpec(
        key="web-forms",
        build=webform,
        create_payload=create_payload,
        update_payload=lambda: {"name": "Renamed form", "active": False},
    )
)
