from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    """Import of accounts, contacts, leads, opportunities and activities from CSV and XLSX."""

    name = "rapport.imports"
    label = "imports"
    verbose_name = _("Imports")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from rapport.framework.ui.nav import NavLink, nav_link

        # Anyone who may create records may import them: not staff only.
        nav_link(NavLink("sales", _("Import"), "imports:list", order=80))
        # The data-quality screens (rapport.framework.ui.quality_views) belong with the
        # customer-data tools; the framework's own app registers no navigation.
        nav_link(NavLink("sales", _("Data quality"), "data-quality:index", order=90))
