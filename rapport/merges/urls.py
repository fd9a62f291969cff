"""Routes of the merge screens and the duplicate review queue; included before the generated
record screens (config/urls.py)."""

from django.urls import path

from rapport.merges import views

app_name = "merges"
urlpatterns = [
    path("merge/undo/<int:merge_id>/", views.undo, name="undo"),
    path("merge/<slug:key>/<int:pk>/", views.choose, name="choose"),
    path("merge/<slug:key>/<int:survivor_id>/<int:other_id>/", views.compare, name="compare"),
    path("duplicates/", views.queue, name="queue"),
    path("duplicates/scan/", views.scan_start, name="scan"),
    path("duplicates/<int:pair_id>/dismiss/", views.dismiss, name="dismiss"),
]
