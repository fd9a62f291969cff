"""Who acted and through which channel: recorded on every change-log row."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ActorKind(models.TextChoices):
    USER = "user", _("User")
    API_TOKEN = "api_token", _("API token")
    JOB = "job", _("Job")
    IMPORT = "import", _("Import")
    SYSTEM = "system", _("System")


class Channel(models.TextChoices):
    UI = "ui", _("Web UI")
    API = "api", _("REST API")
    ADMIN = "admin", _("Admin")
    IMPORT = "import", _("Import")
    JOB = "job", _("Background job")
    CLI = "cli", _("Command line")
    WEB_FORM = "web_form", _("Web form")
    # A customer answering through a public link (a quote's accept/decline page).
    PORTAL = "portal", _("Customer portal")


class ChangeAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")
    MERGE = "merge", _("Merged")
