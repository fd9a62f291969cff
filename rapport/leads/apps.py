from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "rapport.leads"
    label = "leads"

    def ready(self) -> None:
        import importlib
        import importlib.util

        if importlib.util.find_spec(f"{self.name}.records"):
            importlib.import_module(f"{self.name}.records")
        # The conversion panel of the lead page and the new-lead form's owner hook.
        importlib.import_module(f"{self.name}.views")
