from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MergesConfig(AppConfig):
    """Merges of two records of the same type into one, kept so that they can be undone."""

    name = "rapport.merges"
    label = "merges"
    verbose_name = _("Merges")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here: the navigation module reads the registry, ready only now.
        from rapport.framework.ui.nav import NavLink, nav_link

        nav_link(NavLink("sales", _("Duplicates"), "merges:queue", order=90))
