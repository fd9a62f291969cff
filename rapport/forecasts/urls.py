from django.urls import path

from rapport.forecasts.api import ForecastAdjustmentView, PipelineForecastView
from rapport.forecasts.views import forecast_adjust_view, forecast_pipeline

urlpatterns = [
    path("forecasts/pipeline/", forecast_pipeline, name="forecast-pipeline"),
    path("forecasts/pipeline/adjust/", forecast_adjust_view, name="forecast-adjust"),
    path("api/forecasts/pipeline/", PipelineForecastView.as_view(), name="api-forecast-pipeline"),
    path(
        "api/forecasts/adjustments/",
        ForecastAdjustmentView.as_view(),
        name="api-forecast-adjustments",
    ),
]
