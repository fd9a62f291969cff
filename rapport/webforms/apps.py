from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from rapport.framework.ui.nav import NavLink, nav_link


class WebFormsConfig(AppConfig):
    name = "rapport.webforms"
    label = "webforms"

    def ready(self) -> None:
        import importlib

        # The record-type declaration registers itself; importing it is the registration.
        importlib.import_module(f"{self.name}.records")
        # Erasing a person also deletes the submissions that brought the lead in.
        from rapport.privacy.services import person_data_eraser
        from rapport.webforms.services import webform_person_erase

        person_data_eraser("web_form_submissions_deleted", webform_person_erase)
        # Submissions, spam folders and embed snippets of every form (staff only).
        nav_link(
            NavLink("marketing", _("Web form submissions"), "webforms:overview", staff_only=True)
        )
