from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from rapport.identity.models import ApiToken, ObjectPermission, Role, SharingDefault, Team, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (*(DjangoUserAdmin.fieldsets or ()), ("Rapport", {"fields": ("role", "language")}))
    list_display = ("username", "email", "first_name", "last_name", "role", "is_active")


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "parent")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "lead")
    filter_horizontal = ("members",)


@admin.register(SharingDefault)
class SharingDefaultAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("record_type", "org_access", "team_access")


@admin.register(ObjectPermission)
class ObjectPermissionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "enabled", "record_types", "actions")
    filter_horizontal = ("users", "teams")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "user", "prefix", "scope", "expires_at", "revoked_at", "last_used_at")
    readonly_fields = ("prefix", "key_hash", "last_used_at")
