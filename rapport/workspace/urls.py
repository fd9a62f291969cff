"""Routes of the workspace; included before the generated record screens."""

from django.urls import path

from rapport.workspace import views

urlpatterns = [
    path("", views.dashboard, name="home"),
    path("my-day/", views.my_day, name="my-day"),
    path("notifications/", views.notifications, name="notifications"),
]
