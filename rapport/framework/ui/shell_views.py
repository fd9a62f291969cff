"""Screens of the app shell: the global search box's results."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from rapport.framework.registry import get_record_type
from rapport.framework.search import global_search

SEARCH_LIMIT = 12


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """Results of the global search box as the user types (an htmx partial), or a full page
    when opened directly."""
    query = request.GET.get("q", "").strip()
    hits = global_search(user=request.user, query=query, limit=SEARCH_LIMIT) if query else []
    results = [
        {"hit": hit, "type_label": get_record_type(hit.record_type).label.capitalize()}
        for hit in hits
    ]
    template = "ui/_search_results.html" if request.headers.get("HX-Request") else "ui/search.html"
    return render(request, template, {"query": query, "results": results})
