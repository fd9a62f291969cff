"""Web forms for tests."""

from __future__ import annotations

import itertools
from typing import Any

from rapport.identity.models import User
from rapport.webforms.models import WebForm

_numbers = itertools.count(1)

FIELDS: list[dict[str, Any]] = [
    {"name": "given_name", "required": False, "label": {"en": "First name", "zh-hans": "名"}},
    {"name": "family_name", "required": True, "label": {"en": "Last name", "zh-hans": "姓"}},
    {"name": "email", "required": True, "label": {"en": "Email", "zh-hans": "电子邮件"}},
    {"name": "phone", "required": False, "label": {"en": "Phone", "zh-hans": "电话"}},
    {"name": "company", "required": False, "label": {"en": "Company", "zh-hans": "公司"}},
    {"name": "country", "required": False, "label": {"en": "Country", "zh-hans": "国家"}},
    {"name": "description", "required": False, "label": {"en": "Message", "zh-hans": "留言"}},
]
CONSENTS: list[dict[str, Any]] = [
    {
        "purpose": "marketing_email",
        "required": False,
        "wording": {
            "en": "Yes, send me the Rapport newsletter (monthly; unsubscribe any time).",
            "zh-hans": "是的，请每月给我发送 Rapport 通讯（可随时退订）。",  # noqa: RUF001
        },
    }
]
# Chinese punctuation on purpose: consents keep the exact wording, full-width commas included.
THANK_YOU = {"en": "Thank you, we will be in touch.", "zh-hans": "谢谢，我们会尽快联系您。"}  # noqa: RUF001


def form_owner() -> User:
    user, _created = User.objects.get_or_create(
        username="webform-owner", defaults={"email": "webform-owner@example.com"}
    )
    return user


def webform(**overrides: Any) -> WebForm:
    n = next(_numbers)
    values: dict[str, Any] = {
        "name": f"Contact us {n}",
        "slug": f"contact-us-{n}",
        "fields": FIELDS,
        "consents": CONSENTS,
        "thank_you": THANK_YOU,
        "lead_owner": overrides.pop("lead_owner", None) or form_owner(),
    }
    values.update(overrides)
    return WebForm.objects.create(**values)


def create_payload(owner: User | None = None) -> dict[str, Any]:
    n = next(_numbers)
    return {
        "name": f"Trial sign-up {n}",
        "slug": f"trial-{n}",
        "fields": FIELDS,
        "consents": CONSENTS,
        "thank_you": THANK_YOU,
        "allowed_origins": ["https://www.example.com"],
        "lead_owner": (owner or form_owner()).pk,
    }
