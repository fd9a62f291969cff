"""The mapping screen names fields in the reader's language, custom fields included."""

from __future__ import annotations

import pytest
from django.utils.translation import override

from rapport.framework.registry import get_record_type
from rapport.framework.testing.factories import CustomFieldFactory
from rapport.imports.mapping import import_fields

pytestmark = pytest.mark.django_db


def test_field_labels_follow_the_active_language() -> None:
    CustomFieldFactory(
        record_type="contacts", name="tier", label="Customer tier", label_zh="客户等级"
    )
    fields = import_fields(get_record_type("contacts"))
    with override("en"):
        english = {k: str(f.label) for k, f in fields.items()}
    with override("zh-hans"):
        chinese = {k: str(f.label) for k, f in fields.items()}
    assert (english["family_name"], chinese["family_name"]) == ("Family name", "姓")
    assert (english["emails"], chinese["emails"]) == ("Email", "邮箱")
    assert (english["cf.tier"], chinese["cf.tier"]) == ("Customer tier", "客户等级")
    # And no label is left in English on the Chinese screen
    untranslated = [k for k in fields if english[k] == chinese[k] and k != "cf.tier"]
    assert untranslated == []
