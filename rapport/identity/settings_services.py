"""Writes of the administrator's settings screens: users, teams, roles and sharing defaults."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from rapport.framework.actor import Actor
from rapport.framework.audit import changelog_write
from rapport.framework.base_models import RecordModel
from rapport.framework.choices import ChangeAction
from rapport.framework.exceptions import RecordPermissionDenied
from rapport.framework.registry import RecordType, get_record_type
from rapport.identity.access import forget_access
from rapport.identity.choices import OrgAccess, TeamAccess
from rapport.identity.models import (
    Role,
    SharingDefault,
    Team,
    User,
)

# --- Administrator settings: users, teams, roles, sharing defaults ---------------------------
# Called by the settings screens (rapport/identity/settings_views.py). Each service checks that
# the actor is an administrator, validates, writes and logs in one transaction.

_USER_LOGGED = ("username", "email", "first_name", "last_name", "role", "language", "is_staff")


def _record_type_or_none(key: str) -> RecordType | None:
    try:
        return get_record_type(key)
    except KeyError:
        return None


def _require_admin(actor: Actor) -> User:
    """The acting administrator; staff and superusers may change users, teams and roles."""
    user = actor.user
    if actor.read_only:
        raise RecordPermissionDenied(_("This API token is read-only."), code="read_only_token")
    if user is None or not user.is_active or not (user.is_staff or user.is_superuser):
        raise RecordPermissionDenied(
            _("Only administrators may change these settings."), code="admin_only"
        )
    return user


def _user_snapshot(user: User) -> dict[str, Any]:
    # Explicit fields: a generic snapshot would copy the password hash into the change log.
    data: dict[str, Any] = {name: getattr(user, name) for name in _USER_LOGGED if name != "role"}
    data["role"] = user.role_id
    data["is_active"] = user.is_active
    data["teams"] = sorted(user.teams.values_list("id", flat=True)) if user.pk else []
    return data


def _team_snapshot(team: Team) -> dict[str, Any]:
    return {
        "name": team.name,
        "lead": team.lead_id,
        "members": sorted(team.members.values_list("id", flat=True)) if team.pk else [],
    }


def _role_snapshot(role: Role) -> dict[str, Any]:
    return {"name": role.name, "parent": role.parent_id}


def _guard_superuser(admin: User, target: User) -> None:
    if target.is_superuser and not admin.is_superuser:
        raise RecordPermissionDenied(
            _("Only a superuser may change a superuser's account."), code="superuser_only"
        )


def _ids(objects: Sequence[models.Model]) -> list[int]:
    return sorted({obj.pk for obj in objects})


def _password_check(user: User, password: str, field: str) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({field: exc.error_list}) from None


def _user_check(user: User, password: str) -> None:
    """The user's fields and, when one is given, the new password: all errors at once."""
    errors: dict[str, list[ValidationError]] = {}
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        errors.update(exc.error_dict)
    if password:
        try:
            _password_check(user, password, "password")
        except ValidationError as exc:
            errors.update(exc.error_dict)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def user_create(
    *,
    actor: Actor,
    username: str,
    email: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    role: Role | None = None,
    teams: Sequence[Team] = (),
    language: str = "en",
    is_staff: bool = False,
) -> User:
    """Create a user who signs in with ``password`` (checked by the password validators).

    An empty ``password`` leaves the account without one until the user chooses it through
    the link ``user_invite_send`` emails them."""
    admin = _require_admin(actor)
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        role=role,
        language=language,
        is_staff=is_staff,
        is_active=True,
    )
    _user_check(user, password)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    user.teams.set(_ids(teams))
    forget_access(admin)
    changelog_write(
        actor=actor,
        action=ChangeAction.CREATE,
        record=user,
        object_id=user.pk,
        before=None,
        after=_user_snapshot(user),
    )
    return user


@transaction.atomic
def user_update(
    *,
    actor: Actor,
    user: User,
    username: str,
    email: str,
    first_name: str,
    last_name: str,
    role: Role | None,
    teams: Sequence[Team],
    language: str,
    is_staff: bool,
    password: str = "",
) -> User:
    """Change a user's details and teams; a non-empty ``password`` replaces theirs."""
    admin = _require_admin(actor)
    _guard_superuser(admin, user)
    if user.pk == admin.pk and not is_staff and not admin.is_superuser:
        raise ValidationError(
            {
                "is_staff": ValidationError(
                    _("You cannot take away your own administrator rights."), code="self_staff"
                )
            }
        )
    user = User.objects.select_for_update().get(pk=user.pk)
    before = _user_snapshot(user)
    user.username, user.email = username, email
    user.first_name, user.last_name = first_name, last_name
    user.role, user.language, user.is_staff = role, language, is_staff
    _user_check(user, password)
    if password:
        user.set_password(password)
    user.save()
    user.teams.set(_ids(teams))
    forget_access(user)
    forget_access(admin)
    after = _user_snapshot(user)
    if password:
        # The change log notes that the password changed, never the password or its hash.
        before["password"], after["password"] = "", "changed"
    changelog_write(
        actor=actor,
        action=ChangeAction.UPDATE,
        record=user,
        object_id=user.pk,
        before=before,
        after=after,
    )
    return user


def user_invite_send(*, actor: Actor, user: User, domain: str, use_https: bool) -> None:
    """Email ``user`` a one-time link to choose their password (the password-reset link), after
    the transaction commits; the link stops working once a password is set."""
    _require_admin(actor)
    if not user.email:
        raise ValidationError(
            {"email": ValidationError(_("Enter an email address."), code="required")}
        )
    context = {
        "user": user,
        "domain": domain,
        "protocol": "https" if use_https else "http",
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }
    with translation.override(user.language):
        subject = render_to_string("identity/settings/invite_subject.txt", context).strip()
        body = render_to_string("identity/settings/invite_email.txt", context)
    recipient = user.email
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])
    )


def _user_set_active(actor: Actor, user: User, active: bool) -> User:
    admin = _require_admin(actor)
    _guard_superuser(admin, user)
    if user.pk == admin.pk and not active:
        raise ValidationError(_("You cannot deactivate your own account."), code="self_deactivate")
    user = User.objects.select_for_update().get(pk=user.pk)
    before = _user_snapshot(user)
    user.is_active = active
    user.save(update_fields=["is_active"])
    changelog_write(
        actor=actor,
        action=ChangeAction.UPDATE,
        record=user,
        object_id=user.pk,
        before=before,
        after=_user_snapshot(user),
    )
    return user


@transaction.atomic
def user_deactivate(*, actor: Actor, user: User) -> User:
    """Stop ``user`` signing in and using tokens; their records, owners and history stay."""
    return _user_set_active(actor, user, False)


@transaction.atomic
def user_reactivate(*, actor: Actor, user: User) -> User:
    """Let a deactivated user sign in again."""
    return _user_set_active(actor, user, True)


@transaction.atomic
def team_create(
    *, actor: Actor, name: str, lead: User | None = None, members: Sequence[User] = ()
) -> Team:
    _require_admin(actor)
    team = Team(name=name, lead=lead)
    team.full_clean()
    team.save()
    team.members.set(_ids(members))
    changelog_write(
        actor=actor,
        action=ChangeAction.CREATE,
        record=team,
        object_id=team.pk,
        before=None,
        after=_team_snapshot(team),
    )
    return team


@transaction.atomic
def team_update(
    *, actor: Actor, team: Team, name: str, lead: User | None, members: Sequence[User]
) -> Team:
    """Rename a team, change its lead and replace its members."""
    admin = _require_admin(actor)
    team = Team.objects.select_for_update().get(pk=team.pk)
    before = _team_snapshot(team)
    team.name, team.lead = name, lead
    team.full_clean()
    team.save()
    team.members.set(_ids(members))
    forget_access(admin)
    changelog_write(
        actor=actor,
        action=ChangeAction.UPDATE,
        record=team,
        object_id=team.pk,
        before=before,
        after=_team_snapshot(team),
    )
    return team


def team_references(team: Team) -> dict[str, int]:
    """How many records of each kind point at ``team``, by the kind's name ("1 contact",
    "3 accounts": singular or plural after the count).

    Business records keep a team (``RecordModel.team``), and records may be shared with it;
    memberships and permissions granted to the team are part of the team, not references.
    """
    counts: dict[str, int] = {}
    for relation in Team._meta.get_fields(include_hidden=True):
        if not (relation.one_to_many and relation.auto_created) or relation.concrete:
            continue
        model = relation.related_model
        if not isinstance(model, type) or model._meta.auto_created:
            continue  # the many-to-many tables of members and permissions
        field_name = relation.field.name  # type: ignore[union-attr]
        count = model._default_manager.filter(**{field_name: team.pk}).count()
        if count:
            meta = model._meta
            label = str(meta.verbose_name if count == 1 else meta.verbose_name_plural)
            counts[label] = counts.get(label, 0) + count
    return counts


@transaction.atomic
def team_delete(*, actor: Actor, team: Team) -> None:
    """Delete a team that no record refers to (deleting would silently clear their team)."""
    _require_admin(actor)
    references = team_references(team)
    if references:
        listed = ", ".join(f"{count} {label}" for label, count in sorted(references.items()))
        raise ValidationError(
            _(
                "The team %(team)s cannot be deleted: records still refer to it (%(refs)s). "
                "Move them to another team first."
            )
            % {"team": team.name, "refs": listed},
            code="team_referenced",
        )
    pk, label, before = team.pk, str(team), _team_snapshot(team)
    team.delete()
    changelog_write(
        actor=actor,
        action=ChangeAction.DELETE,
        record=team,
        object_id=pk,
        before=before,
        after=None,
        object_repr=label,
    )


def _role_cycle_check(role: Role | None, parent: Role | None) -> None:
    """Refuse a parent that is the role itself or one of the roles below it."""
    if role is None or role.pk is None or parent is None:
        return
    parents = dict(Role.objects.values_list("id", "parent_id"))
    seen: set[int] = set()
    current: int | None = parent.pk
    while current is not None and current not in seen:
        if current == role.pk:
            raise ValidationError(
                {
                    "parent": ValidationError(
                        _(
                            "%(role)s cannot report to %(parent)s: %(parent)s already reports "
                            "to %(role)s, which would make a cycle."
                        )
                        % {"role": role.name, "parent": parent.name},
                        code="role_cycle",
                    )
                }
            )
        seen.add(current)
        current = parents.get(current)


@transaction.atomic
def role_create(*, actor: Actor, name: str, parent: Role | None = None) -> Role:
    _require_admin(actor)
    role = Role(name=name, parent=parent)
    role.full_clean()
    role.save()
    changelog_write(
        actor=actor,
        action=ChangeAction.CREATE,
        record=role,
        object_id=role.pk,
        before=None,
        after=_role_snapshot(role),
    )
    return role


@transaction.atomic
def role_update(*, actor: Actor, role: Role, name: str, parent: Role | None) -> Role:
    """Rename a role or move it in the hierarchy (never below itself)."""
    admin = _require_admin(actor)
    role = Role.objects.select_for_update().get(pk=role.pk)
    _role_cycle_check(role, parent)
    before = _role_snapshot(role)
    role.name, role.parent = name, parent
    role.full_clean()
    role.save()
    forget_access(admin)
    changelog_write(
        actor=actor,
        action=ChangeAction.UPDATE,
        record=role,
        object_id=role.pk,
        before=before,
        after=_role_snapshot(role),
    )
    return role


@transaction.atomic
def role_delete(*, actor: Actor, role: Role) -> None:
    """Delete a role that no user holds and no role reports to."""
    _require_admin(actor)
    if role.children.exists() or role.users.exists():
        raise ValidationError(
            _(
                "The role %(role)s cannot be deleted: users hold it or other roles report to "
                "it. Give them another role first."
            )
            % {"role": role.name},
            code="role_in_use",
        )
    pk, label, before = role.pk, str(role), _role_snapshot(role)
    role.delete()
    changelog_write(
        actor=actor,
        action=ChangeAction.DELETE,
        record=role,
        object_id=pk,
        before=before,
        after=None,
        object_repr=label,
    )


@transaction.atomic
def sharing_default_set(
    *, actor: Actor, record_type: str, org_access: OrgAccess, team_access: TeamAccess
) -> SharingDefault:
    """Set the organisation-wide default of one record type; it applies from the next request
    (access is computed afresh for every request) and at once to the actor."""
    admin = _require_admin(actor)
    rt = _record_type_or_none(record_type)
    if rt is None or not issubclass(rt.model, RecordModel):
        raise ValidationError(
            {"record_type": ValidationError(_("Unknown record type."), code="invalid_choice")}
        )
    current = SharingDefault.objects.select_for_update().filter(record_type=record_type).first()
    before = (
        {"org_access": current.org_access, "team_access": current.team_access} if current else None
    )
    default = current or SharingDefault(record_type=record_type)
    default.org_access, default.team_access = org_access, team_access
    default.full_clean()
    default.save()
    forget_access(admin)
    changelog_write(
        actor=actor,
        action=ChangeAction.UPDATE if current else ChangeAction.CREATE,
        record=default,
        object_id=default.pk,
        before=before,
        after={"org_access": default.org_access, "team_access": default.team_access},
    )
    return default
