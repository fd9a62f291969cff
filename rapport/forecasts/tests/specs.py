"""Generic-suite spec of quotas."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from rapport.forecasts.models import Quota
from rapport.framework.testing.factories import currency
from rapport.framework.testing.specs import ConfigRecordSpec, register_spec
from rapport.identity.models import User

_serial = itertools.count(1)


def quota_build() -> Quota:
    n = next(_serial)
    user = User.objects.create_user(f"quota-holder-{n}", f"q{n}@example.com", "pw")
    return Quota.objects.create(
        user=user,
        period_kind="quarter",
        period_start=dt.date(2026, 10, 1),
        amount=Decimal("100000.00"),
        currency=currency("USD"),
    )


def quota_payload() -> dict[str, Any]:
    n = next(_serial)
    user = User.objects.create_user(f"quota-new-{n}", f"qn{n}@example.com", "pw")
    return {
        "user": user.pk,
        "period_kind": "month",
        "period_start": "2026-11-01",
        "amount": "25000.00",
        "currency": "USD",
    }


register_spec(
    ConfigRecordSpec(
        key="quotas",
        build=quota_build,
        create_payload=quota_payload,
        update_payload=lambda: {"amount": "120000.00"},
    )
)
