from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "rapport.scoring"
    label = "scoring"

    def ready(self) -> None:
        import importlib

        from rapport.framework.ui.nav import NavLink, nav_link

        # The record type (and the lead's derived score fields kept out of the change log),
        # the lead page's scores panel.
        importlib.import_module(f"{self.name}.records")
        importlib.import_module(f"{self.name}.panels")
        nav_link(
            NavLink("settings", _("Lead scoring model"), "scoring:model", order=60, staff_only=True)
        )
