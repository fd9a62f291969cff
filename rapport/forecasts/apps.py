from django.apps import AppConfig


class ForecastsConfig(AppConfig):
    name = "rapport.forecasts"
    label = "forecasts"

    def ready(self) -> None:
        import importlib

        importlib.import_module(f"{self.name}.records")
        importlib.import_module(f"{self.name}.nav")
