"""Money in the organisation's currency for the board and the dashboard: each exchange rate
is read once per screen, however many rows are converted."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _

from rapport.currencies.models import Currency
from rapport.currencies.selectors import MissingExchangeRate, base_currency, exchange_rate
from rapport.framework.numbers import number_text


class BaseConverter:
    """Converts amounts to the base currency at the rate of a given day; remembers the rates
    it read and the currencies it had no rate for (their amounts are left out)."""

    def __init__(self) -> None:
        self.currency = base_currency()
        self.missing: set[str] = set()
        self._rates: dict[tuple[str, dt.date], Decimal | None] = {}
        self._quantum: Decimal | None = None

    @property
    def quantum(self) -> Decimal:
        if self._quantum is None:
            decimals = (
                Currency.objects.filter(code=self.currency)
                .values_list("decimals", flat=True)
                .first()
            )
            self._quantum = Decimal(1).scaleb(-(decimals if decimals is not None else 2))
        return self._quantum

    def to_base(self, amount: Decimal, currency: str, on: dt.date) -> Decimal:
        """``amount`` in the base currency; zero (and ``currency`` noted missing) without a rate."""
        key = (currency, on)
        if key not in self._rates:
            try:
                self._rates[key] = exchange_rate(currency, on)
            except MissingExchangeRate:
                self._rates[key] = None
        rate = self._rates[key]
        if rate is None:
            self.missing.add(currency)
            return Decimal(0)
        return (Decimal(amount) * rate).quantize(self.quantum)


def money_text(amount: Decimal | None, currency: str) -> str:
    """``amount`` formatted for the active language, with its currency code."""
    if amount is None:
        return ""
    number = number_text(Decimal(amount).quantize(Decimal("0.01")), places=2)
    return _("%(amount)s %(currency)s") % {"amount": number, "currency": currency}
