"""Routes of the customer's quote pages (no login): included before the generated record
screens (config/urls.py)."""

from django.urls import path

from rapport.quotes import public_views

app_name = "quotes-public"
urlpatterns = [
    path("q/<str:token>/", public_views.quote_page, name="answer"),
    path("q/<str:token>/pdf/", public_views.quote_page_pdf, name="pdf"),
    path("q/<str:token>/accept/", public_views.quote_page_accept, name="accept"),
    path("q/<str:token>/decline/", public_views.quote_page_decline, name="decline"),
]
