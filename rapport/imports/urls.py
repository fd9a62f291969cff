"""Routes of the import screens (``/imports/...``)."""

from django.urls import path

from rapport.imports import views

app_name = "imports"
urlpatterns = [
    path("imports/", views.job_list, name="list"),
    path("imports/new/", views.job_new, name="new"),
    path("imports/<int:pk>/", views.job_detail, name="detail"),
    path("imports/<int:pk>/mapping/", views.job_mapping, name="mapping"),
    path("imports/<int:pk>/run/", views.job_run, name="run"),
    path("imports/<int:pk>/progress/", views.job_progress, name="progress"),
    path("imports/<int:pk>/undo/", views.job_undo, name="undo"),
    path("imports/<int:pk>/templates/save/", views.template_save, name="template-save"),
    path("imports/<int:pk>/templates/apply/", views.template_apply, name="template-apply"),
    path("imports/<int:pk>/templates/delete/", views.template_remove, name="template-delete"),
]
