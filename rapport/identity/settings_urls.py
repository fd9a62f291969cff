"""The administrator's settings screens (users, teams, roles, sharing defaults, pipelines)."""

from django.urls import URLPattern, URLResolver, include, path

from rapport.identity import settings_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.settings_index, name="settings-index"),
    path("users/", views.user_list, name="settings-users"),
    path("users/new/", views.user_create, name="settings-user-create"),
    path("users/<int:pk>/", views.user_edit, name="settings-user-edit"),
    path("users/<int:pk>/deactivate/", views.user_deactivate, name="settings-user-deactivate"),
    path("users/<int:pk>/reactivate/", views.user_reactivate, name="settings-user-reactivate"),
    path("teams/", views.team_list, name="settings-teams"),
    path("teams/new/", views.team_create, name="settings-team-create"),
    path("teams/<int:pk>/", views.team_edit, name="settings-team-edit"),
    path("teams/<int:pk>/delete/", views.team_delete, name="settings-team-delete"),
    path("roles/", views.role_list, name="settings-roles"),
    path("roles/new/", views.role_create, name="settings-role-create"),
    path("roles/<int:pk>/", views.role_edit, name="settings-role-edit"),
    path("roles/<int:pk>/delete/", views.role_delete, name="settings-role-delete"),
    path("sharing/", views.sharing_defaults, name="settings-sharing"),
    # Pipelines belong to the opportunities app; their screens live there.
    path("pipelines/", include("rapport.opportunities.pipeline_settings_views")),
]
