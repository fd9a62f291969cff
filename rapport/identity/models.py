"""Users, teams, roles, sharing rules, object permissions and API tokens."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from rapport.identity.choices import OrgAccess, ShareLevel, TeamAccess, TokenScope


class Role(models.Model):
    """A place in the role hierarchy: a manager's role sees what roles below it own."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("reports to"),
    )

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who logs in to Rapport (never a customer: those are contacts)."""

    role = models.ForeignKey(
        Role,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="users",
        verbose_name=_("role"),
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")  # type: ignore[assignment]
        verbose_name_plural = _("users")  # type: ignore[assignment]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Team(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    lead = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_teams",
        verbose_name=_("team lead"),
    )
    members = models.ManyToManyField(
        User, blank=True, related_name="teams", verbose_name=_("members")
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SharingDefault(models.Model):
    """Organisation-wide default for one record type (a registry key such as ``contacts``)."""

    record_type = models.CharField(_("record type"), max_length=50, unique=True)
    org_access = models.CharField(
        _("organisation-wide access"),
        max_length=20,
        choices=OrgAccess.choices,
        default=OrgAccess.PRIVATE,
    )
    team_access = models.CharField(
        _("team access"), max_length=20, choices=TeamAccess.choices, default=TeamAccess.READ
    )

    class Meta:
        verbose_name = _("sharing default")
        verbose_name_plural = _("sharing defaults")

    def __str__(self) -> str:
        return f"{self.record_type}: {self.org_access}/{self.team_access}"


class RecordShare(models.Model):
    """One record shared with one user or one team."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.BigIntegerField()
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="record_shares"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="record_shares"
    )
    level = models.CharField(
        _("level"), max_length=20, choices=ShareLevel.choices, default=ShareLevel.READ
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("record share")
        verbose_name_plural = _("record shares")
        indexes = [
            models.Index(fields=["content_type", "user"]),
            models.Index(fields=["content_type", "team"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(user__isnull=False, team__isnull=True)
                    | models.Q(user__isnull=True, team__isnull=False)
                ),
                name="recordshare_user_xor_team",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id} → {self.user_id or self.team_id}"


class ObjectPermission(models.Model):
    """Extra access granted to users or teams, optionally constrained by field filters.

    ``constraints`` is a filter dict (or a list of them, OR-ed) over the record type's model.
    The tokens ``"$user"`` and ``"$teams"`` stand for the user's id and their team ids.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    record_types = models.JSONField(_("record types"), default=list)
    actions = models.JSONField(_("actions"), default=list)
    constraints = models.JSONField(_("constraints"), null=True, blank=True)
    users = models.ManyToManyField(User, blank=True, related_name="object_permissions")
    teams = models.ManyToManyField(Team, blank=True, related_name="object_permissions")

    class Meta:
        verbose_name = _("object permission")
        verbose_name_plural = _("object permissions")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ApiToken(models.Model):
    """A personal API token; only a SHA-256 hash of the secret is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    scope = models.CharField(
        _("scope"), max_length=20, choices=TokenScope.choices, default=TokenScope.READ
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class TotpDevice(models.Model):
    """A user's authenticator app (time-based one-time passwords). Unconfirmed until the user
    has typed one code from it; only a confirmed device is asked for at sign-in."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="totp_device", verbose_name=_("user")
    )
    # Shown to the user only while setting up. Stored in clear: checking a code needs it.
    secret = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # The time step of the last accepted code: a code of that step or an earlier one is refused.
    last_used_step = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("authenticator app")
        verbose_name_plural = _("authenticator apps")

    def __str__(self) -> str:
        return str(self.user)


class RecoveryCode(models.Model):
    """A one-time code that replaces the authenticator app at sign-in; only a hash is stored."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="recovery_codes", verbose_name=_("user")
    )
    lookup = models.CharField(max_length=8)
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(_("created at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")
        indexes = [models.Index(fields=["user", "lookup"])]

    def __str__(self) -> str:
        return f"{self.user} ({self.lookup}…)"
