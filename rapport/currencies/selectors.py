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


def money_to_base(amount: Decimal, currency: str, on: dt.date) -> Decimal:
    """``amount`` in ``currency`` converted to the base currency, rounded to its decimals."""
    decimals = (
        Currency.objects.filter(code=base_currency()).values_list("decimals", flat=True).first()
    )
    quantum = Decimal(1).scaleb(-(decimals if decimals is not None else 2))
    return (amount * exchange_rate(currency, on)).quantize(quantum)
