"""Routes of the generated screens: ``/<record type>/`` and below, for every declared type."""

from __future__ import annotations

from django.urls import path, register_converter

from rapport.framework.registry import get_record_type
from rapport.framework.ui import list_views, record_views, shell_views


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
    path("<record_type:key>/<str:pk>/", record_views.record_detail, name="detail"),
    path("<record_type:key>/<str:pk>/edit/", record_views.record_edit, name="edit"),
    path("<record_type:key>/<str:pk>/delete/", record_views.record_remove, name="delete"),
]
