from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo-data generator (no models of its own)."""

    name = "rapport.demo"
    label = "demo"
    verbose_name = "Demo data"
