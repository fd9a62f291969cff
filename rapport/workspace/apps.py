from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    name = "rapport.workspace"
    label = "workspace"
    verbose_name = _("Workspace")

    def ready(self) -> None:
        # Imported here: models and the registry are only ready once every app is loaded.
        from rapport.framework.events import subscribe
        from rapport.framework.ui.hooks import on_record_viewed
        from rapport.framework.ui.nav import NavLink, nav_link
        from rapport.workspace.services import notify_assignment, recent_view_record

        nav_link(NavLink("home", _("Dashboard"), "home", order=10))
        nav_link(NavLink("home", _("My day"), "my-day", order=20))
        nav_link(NavLink("sales", _("Pipeline board"), "board", order=10))
        subscribe(notify_assignment)
        on_record_viewed(recent_view_record)
