from django.db import models
from django.utils.translation import gettext_lazy as _


class AssignmentMethod(models.TextChoices):
    ROUND_ROBIN = "round_robin", _("Round-robin within a team")
    LEAST_LOADED = "least_loaded", _("Least loaded member of a team")
    USER = "user", _("A specific user")
