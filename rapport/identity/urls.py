"""Screens of the identity app: signing in and out (auth_urls) and the administrator's
settings for users, teams, roles and sharing (settings_urls)."""

from django.urls import include, path

urlpatterns = [
    path("", include("rapport.identity.auth_urls")),
    path("settings/", include("rapport.identity.settings_urls")),
]
