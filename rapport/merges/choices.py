from django.db import models
from django.utils.translation import gettext_lazy as _


class MergeKeep(models.TextChoices):
    """Whose value of a field survives a merge."""

    SURVIVOR = "survivor", _("The surviving record's")
    OTHER = "other", _("The merged record's")
