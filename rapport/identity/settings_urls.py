"""The administrator's settings screens (users, teams, roles, sharing defaults)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
