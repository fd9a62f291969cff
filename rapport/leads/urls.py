"""The lead conversion screen; included before the generated record screens (config/urls.py)."""

from django.urls import path

from rapport.leads import views

app_name = "leads"
urlpatterns = [
    path("leads/<int:pk>/convert/", views.lead_convert_view, name="convert"),
]
