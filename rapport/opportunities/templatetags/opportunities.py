"""Template filters of opportunity screens."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def days_since(moment: dt.datetime | None) -> int | None:
    """Whole days from ``moment`` to today (the time in stage of a board card)."""
    if moment is None:
        return None
    return (timezone.localdate() - timezone.localtime(moment).date()).days
