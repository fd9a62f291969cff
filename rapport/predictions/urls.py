"""Routes of the forecast screens and their API; included before the API router and the
generated record screens."""

from django.urls import path

from rapport.predictions import api, views

urlpatterns = [
    path("forecasts/bookings/", views.forecast_bookings, name="forecast-bookings"),
    path(
        "forecasts/win-probability/",
        views.forecast_win_probability,
        name="forecast-win-probability",
    ),
    path(
        "forecasts/win-probability/train/",
        views.forecast_win_probability_train,
        name="forecast-win-probability-train",
    ),
    path(
        "api/forecasts/bookings/",
        api.BookingsForecastView.as_view(),
        name="api-forecast-bookings",
    ),
    path(
        "api/forecasts/win-probability/",
        api.WinProbabilityView.as_view(),
        name="api-forecast-win-probability",
    ),
    path(
        "api/forecasts/win-probability/train/",
        api.WinProbabilityTrainView.as_view(),
        name="api-forecast-win-probability-train",
    ),
]
