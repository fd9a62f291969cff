from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PredictionsConfig(AppConfig):
    """Learned forecasts: win probability of open opportunities, the bookings forecast."""

    name = "rapport.predictions"
    label = "predictions"
    verbose_name = _("Predictions")

    def ready(self) -> None:
        import importlib

        from rapport.framework.ui.nav import NavLink, nav_link

        # The opportunity page's win-probability panel.
        importlib.import_module(f"{self.name}.panels")

        nav_link(NavLink("analytics", _("Bookings forecast"), "forecast-bookings", order=30))
        nav_link(NavLink("analytics", _("Win probability"), "forecast-win-probability", order=31))
