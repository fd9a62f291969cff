"""Routes of the quote page's workflow buttons; included before the generated screens."""

from django.urls import path

from rapport.quotes import views

app_name = "quotes"
urlpatterns = [
    path("quotes/<int:pk>/do/<slug:action>/", views.quote_action, name="action"),
]
