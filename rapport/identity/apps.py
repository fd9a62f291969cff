from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from rapport.framework.ui.nav import NavLink, nav_link


class IdentityConfig(AppConfig):
    name = "rapport.identity"
    label = "identity"

    def ready(self) -> None:
        import importlib
        import importlib.util

        if importlib.util.find_spec(f"{self.name}.records"):
            importlib.import_module(f"{self.name}.records")
        # The administrator's settings screens (rapport/identity/settings_urls.py).
        nav_link(
            NavLink("settings", _("Users and teams"), "settings-index", order=10, staff_only=True)
        )
