"""Document numbers: ``Q-2026-00042`` for quotes, ``O-2026-00042`` for orders."""

from __future__ import annotations

import datetime as dt

from django.db import models, transaction

from rapport.quotes.models import DocumentCounter


@transaction.atomic
def document_number_next(*, kind: str, on: dt.date, model: type[models.Model]) -> str:
    """The next free number ``<kind>-<year>-<nnnnn>`` for ``model`` (its ``number`` field);
    numbers already taken (an imported order's, say) are skipped."""
    prefix = f"{kind}-{on.year}-"
    DocumentCounter.objects.get_or_create(prefix=prefix)
    counter = DocumentCounter.objects.select_for_update().get(prefix=prefix)
    while True:
        counter.last += 1
        number = f"{prefix}{counter.last:05d}"
        if not model._default_manager.filter(number=number).exists():
            break
    counter.save(update_fields=["last"])
    return number
