from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "rapport.catalog"
    label = "catalog"

    def ready(self) -> None:
        import importlib
        import importlib.util

        if importlib.util.find_spec(f"{self.name}.records"):
            importlib.import_module(f"{self.name}.records")
