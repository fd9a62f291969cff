"""The bookings forecast of the live database: the monthly history (``selectors``) run
through ``rapport.analytics.bookings``, cached until the history or the horizon changes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.analytics import bookings
from rapport.predictions.selectors import (
    BookingsHistory,
    bookings_fingerprint,
    bookings_history,
)

CACHE_SECONDS = 24 * 3600


def bookings_forecast(*, horizon: int, today: dt.date | None = None) -> dict[str, Any]:
    """The forecast as plain data (see ``BookingsForecast.as_dict``) plus its source:
    ``currency``, ``orders``, ``won_without_order``, ``unconverted``; ``available`` is False
    with a ``message`` when the history is too short."""
    day = today or timezone.localdate()
    # A page view should not re-read every order: the history is cached under a fingerprint
    # of what it is made of (three aggregate queries), so any change shows at once.
    history_key = f"predictions:bookings-history:{day.isoformat()}:{bookings_fingerprint()}"
    history: BookingsHistory | None = cache.get(history_key)
    if history is None:
        history = bookings_history(today=day)
        cache.set(history_key, history, CACHE_SECONDS)
    key = _cache_key(history, horizon)
    cached: dict[str, Any] | None = cache.get(key)
    if cached is not None:
        return cached
    out: dict[str, Any] = {
        "currency": history.currency,
        "horizon": horizon,
        "orders": history.orders,
        "won_without_order": history.won_without_order,
        "unconverted": history.unconverted,
    }
    try:
        series = bookings.monthly_series(history.months, history.values, where=_("bookings"))
        result = bookings.forecast(series, horizon=horizon)
    except bookings.SeriesError as exc:
        out.update(
            available=False,
            message=_(
                "Not enough booking history to forecast: %(reason)s. Bookings are the monthly "
                "totals of confirmed and fulfilled orders plus won opportunities without an "
                "order."
            )
            % {"reason": exc},
            history=[],
            forecast=[],
            model=None,
            seasonal=False,
            backtest=None,
            notes=[],
        )
    else:
        out.update(available=True, message="", **result.as_dict())
    cache.set(key, out, CACHE_SECONDS)
    return out


def _cache_key(history: BookingsHistory, horizon: int) -> str:
    payload = json.dumps(
        [history.currency, [str(m) for m in history.months], history.values, horizon]
    )
    return "predictions:bookings:" + hashlib.sha256(payload.encode()).hexdigest()
