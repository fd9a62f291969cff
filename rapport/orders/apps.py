from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "rapport.orders"
    label = "orders"

    def ready(self) -> None:
        import importlib
        import importlib.util

        if importlib.util.find_spec(f"{self.name}.records"):
            importlib.import_module(f"{self.name}.records")
