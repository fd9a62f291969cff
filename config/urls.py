from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from rapport.framework.admin import register_record_admins
from rapport.framework.api.router import api_router
from rapport.framework.views import home
from rapport.search.api import SearchView

register_record_admins()

urlpatterns = [
    path("", home, name="home"),
    path("admin/", admin.site.urls),
    path("api/search/", SearchView.as_view(), name="api-search"),
    path("api/", include(api_router().urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
]
