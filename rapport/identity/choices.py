"""Choices of the identity app: access levels, token scopes."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgAccess(models.TextChoices):
    """Organisation-wide default access to records of one type that a user does not own."""

    PRIVATE = "private", _("Private")
    READ = "read", _("Public read only")
    READ_WRITE = "read_write", _("Public read/write")


class TeamAccess(models.TextChoices):
    """What members of a record's team may do with it."""

    NONE = "none", _("No access")
    READ = "read", _("Read only")
    READ_WRITE = "read_write", _("Read/write")


class ShareLevel(models.TextChoices):
    READ = "read", _("Read only")
    READ_WRITE = "read_write", _("Read/write")


class TokenScope(models.TextChoices):
    READ = "read", _("Read only")
    READ_WRITE = "read_write", _("Read/write")


class Action(models.TextChoices):
    VIEW = "view", _("View")
    ADD = "add", _("Add")
    CHANGE = "change", _("Change")
    DELETE = "delete", _("Delete")
