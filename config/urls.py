from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

from rapport.framework.admin import register_record_admins
from rapport.framework.api.router import api_router
from rapport.identity.auth_forms import AdminSignInForm
from rapport.search.api import SearchView

register_record_admins()
# The admin's own sign-in has no code step: it refuses users with two-factor authentication.
admin.site.login_form = AdminSignInForm

urlpatterns = [
    # Home (dashboard), My day, notifications.
    path("", include("rapport.workspace.urls")),
    path("", include("rapport.identity.urls")),
    path("admin/", admin.site.urls),
    path("api/search/", SearchView.as_view(), name="api-search"),
    path("api/", include(api_router().urls)),
    # The schema and its documentation describe the API, not its data: readable without login.
    path(
        "api/schema/", SpectacularAPIView.as_view(permission_classes=[AllowAny]), name="api-schema"
    ),
    # The split view serves Swagger UI's start-up script as a file: no inline script (CSP).
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", permission_classes=[AllowAny]),
        name="api-docs",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    # Before the generated screens, whose /opportunities/<pk>/ would take "board" for an id.
    path("", include("rapport.opportunities.board_urls")),
    path("", include("rapport.webforms.urls")),
    # Imports and data quality: their own top-level routes, before the generated screens.
    path("", include("rapport.imports.urls")),
    path("", include("rapport.framework.ui.quality_urls")),
    # Merge screens and the duplicate review queue; privacy actions of contacts and leads.
    path("", include("rapport.merges.urls")),
    path("", include("rapport.privacy.urls")),
    # Generated record screens last: their first segment is any declared record type.
    path("", include("rapport.framework.ui.urls")),
]
