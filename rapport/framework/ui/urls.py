"""Routes of the generated screens: ``/<record type>/`` and below, for every declared type."""

from __future__ import annotations

from django.urls import path, register_converter

from rapport.framework.registry import get_record_type
from rapport.framework.ui import (
    bulk_views,
    list_views,
    quick_add,
    record_views,
    saved_views,
    shell_views,
)


class RecordTypeKey:
    """Matches only declared record-type keys, so other top-level routes are never shadowed."""

    regex = r"[a-z][a-z-]*"

    def to_python(self, value: str) -> str:
        try:
            get_record_type(value)
        except KeyError:
            raise ValueError(value) from None
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(RecordTypeKey, "record_type")

app_name = "ui"
urlpatterns = [
    path("search/", shell_views.search, name="search"),
    path("pick/<slug:source>/", record_views.picker, name="picker"),
    path("<record_type:key>/", list_views.record_list, name="list"),
    path("<record_type:key>/new/", record_views.record_create, name="create"),
    path("<record_type:key>/new/duplicates/", record_views.duplicate_check, name="duplicate-check"),
    # The list screen's own routes: before the record page, whose <pk> would match them.
    path("<record_type:key>/bulk/", bulk_views.bulk, name="bulk"),
    path("<record_type:key>/bulk/value/", bulk_views.bulk_value, name="bulk-value"),
    path("<record_type:key>/export/", bulk_views.export, name="export"),
    path("<record_type:key>/filters/row/", list_views.filter_row, name="filter-row"),
    path("<record_type:key>/views/", saved_views.view_create, name="views"),
    path("<record_type:key>/views/<int:view_id>/", saved_views.view_open, name="view"),
    path(
        "<record_type:key>/views/<int:view_id>/delete/",
        saved_views.view_delete,
        name="view-delete",
    ),
    path("<record_type:key>/<str:pk>/cell/<str:field>/", bulk_views.cell, name="cell"),
    path("<record_type:key>/<str:pk>/", record_views.record_detail, name="detail"),
    path("<record_type:key>/<str:pk>/edit/", record_views.record_edit, name="edit"),
    path("<record_type:key>/<str:pk>/delete/", record_views.record_remove, name="delete"),
    path("<record_type:key>/<str:pk>/quick-add/", quick_add.quick_add, name="quick-add"),
]
