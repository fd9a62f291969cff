"""Routes of the data-quality screens (``/data-quality/...``), outside the generated
``/<record type>/<pk>/`` space."""

from django.urls import path

from rapport.framework.ui import quality_views

app_name = "data-quality"
urlpatterns = [
    path("data-quality/", quality_views.quality_index, name="index"),
    path("data-quality/<slug:key>/", quality_views.quality_type, name="type"),
]
