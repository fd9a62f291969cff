"""Generic-suite specs of currencies and exchange rates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from babel.numbers import list_currencies

from rapport.currencies.models import Currency, ExchangeRate
from rapport.framework.testing.factories import currency
from rapport.framework.testing.specs import ConfigRecordSpec, register_spec


def currency_build() -> Currency:
    """A currency not stored yet (the migration seeds the common ones)."""
    taken = set(Currency.objects.values_list("code", flat=True))
    code = next(c for c in sorted(list_currencies()) if c not in taken and c != "ISK")
    return Currency.objects.create(code=code, name=f"Currency {code}")


def exchange_rate_build() -> ExchangeRate:
    """A rate of EUR on a day that has none yet."""
    last = ExchangeRate.objects.filter(currency="EUR").order_by("-date").first()
    day = last.date + dt.timedelta(days=1) if last else dt.date(2024, 1, 1)
    return ExchangeRate.objects.create(currency=currency("EUR"), date=day, rate=Decimal("1.1"))


register_spec(
    ConfigRecordSpec(
        key="currencies",
        build=currency_build,
        create_payload=lambda: {"code": "ISK", "name": "Icelandic króna", "decimals": 0},
        update_payload=lambda: {"name": "Renamed currency", "active": False},
    )
)

register_spec(
    ConfigRecordSpec(
        key="exchange-rates",
        build=exchange_rate_build,
        create_payload=lambda: {"currency": "GBP", "date": "2023-06-30", "rate": "1.2500000000"},
        update_payload=lambda: {"rate": "1.3000000000"},
    )
)
