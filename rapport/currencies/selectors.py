"""Money conversion to the organisation's currency at the rate of the day."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings

from rapport.currencies.models import Currency, ExchangeRate


class MissingExchangeRate(Exception):
    def __init__(self, currency: str, on: dt.date) -> None:
        super().__init__(f"no exchange rate for {currency} on or before {on}")
        self.currency = currency
        self.on = on


def base_currency() -> str:
    return str(settings.RAPPORT_BASE_CURRENCY)


def exchange_rate(currency: str, on: dt.date) -> Decimal:
    """The latest rate of ``currency`` on or before ``on`` (1 for the base currency)."""
    if currency == base_currency():
        return Decimal(1)
    rate = (
        ExchangeRate.objects.filter(currency_id=currency, date__lte=on)
        .order_by("-date")
        .values_list("rate", flat=True)
        .first()
    )
    if rate is None:
        raise MissingExchangeRate(currency, on)
    return rate


def currency_decimals(code: str) -> int:
    """The decimal places of ``code``'s amounts (0 for JPY, 3 for KWD); 2 when unknown."""
    found = Currency.objects.filter(code=code).values_list("decimals", flat=True).first()
    return 2 if found is None else int(found)


def money_to_base(amount: Decimal, currency: str, on: dt.date) -> Decimal:
    """``amount`` in ``currency`` converted to the base currency, rounded to its decimals."""
    quantum = Decimal(1).scaleb(-currency_decimals(base_currency()))
    return (amount * exchange_rate(currency, on)).quantize(quantum)
