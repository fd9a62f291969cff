from django.apps import AppConfig


class FrameworkConfig(AppConfig):
    name = "rapport.framework"
    label = "framework"
    verbose_name = "Rapport framework"

    def ready(self) -> None:
        # Registers the OpenAPI extensions with drf-spectacular.
        from rapport.framework.api import schema  # noqa: F401
