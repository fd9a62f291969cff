from django.apps import AppConfig


class AssignmentConfig(AppConfig):
    name = "rapport.assignment"
    label = "assignment"

    def ready(self) -> None:
        import importlib

        importlib.import_module(f"{self.name}.records")
