"""Admin pages: retention rules are written here; the privacy log is read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from rapport.privacy.models import PrivacyAction, RetentionRule


@admin.register(RetentionRule)
class RetentionRuleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("person_type", "period_days", "action", "enabled")


@admin.register(PrivacyAction)
class PrivacyActionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("time", "action", "person_type", "person_id", "user", "channel")
    list_filter = ("action", "person_type")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
