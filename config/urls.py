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
    # The pipeline forecast page and API (before the router and the generated screens).
    path("", include("rapport.forecasts.urls")),
    # The bookings and win-probability forecasts: pages and API.
    path("", include("rapport.predictions.urls")),
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
    path("", include("rapport.leads.urls")),  # lead conversion
    # Workflow buttons of quote and order pages.
    path("", include("rapport.quotes.urls")),
    path("", include("rapport.orders.urls")),
    # Lead scoring model (metrics, "Train now").
    path("", include("rapport.scoring.urls")),
    # A quote's customer pages (/q/<token>/, no login) and its PDF and Send screens.
    path("", include("rapport.quotes.public_urls")),
    path("", include("rapport.quotes.document_urls")),
    # Generated record screens last: their first segment is any declared record type.
    path("", include("rapport.framework.ui.urls")),
]
