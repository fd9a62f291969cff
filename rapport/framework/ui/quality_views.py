"""Data-quality screens: ``/data-quality/`` lists the record types that declare checks, and
``/data-quality/<type>/`` counts the records failing each check, each count linking to the
list filtered by ``?quality=<check>``.

Counts are made exactly as the API's ``data-quality`` action makes them: each check applied to
``restricted(model, user, "view")``, so a user counts only the records they may see.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from rapport.framework.base_models import restricted
from rapport.framework.registry import RecordType, get_record_type, record_types


@dataclass(frozen=True)
class QualityRow:
    key: str
    title: str
    count: int
    url: str


def checked_types() -> list[RecordType]:
    """The record types that declare data-quality checks, in declaration order."""
    return [rt for rt in record_types() if rt.quality_checks]


@login_required
@require_GET
def quality_index(request: HttpRequest) -> HttpResponse:
    """The record types with data-quality checks, each with the names of its checks."""
    return render(request, "ui/data_quality_index.html", {"types": checked_types()})


@login_required
@require_GET
def quality_type(request: HttpRequest, key: str) -> HttpResponse:
    """Each check of one record type with the number of visible records failing it."""
    try:
        rt = get_record_type(key)
    except KeyError:
        raise Http404 from None
    if not rt.quality_checks:
        raise Http404
    base = restricted(rt.model, request.user, "view")
    list_url = reverse("ui:list", kwargs={"key": rt.key})
    rows = [
        QualityRow(
            key=c.key,
            title=str(c.label),
            count=c.apply(base).count(),
            url=f"{list_url}?{urlencode({'quality': c.key})}",
        )
        for c in rt.quality_checks
    ]
    context = {"rt": rt, "title": str(rt.label_plural).capitalize(), "rows": rows}
    return render(request, "ui/data_quality.html", context)
