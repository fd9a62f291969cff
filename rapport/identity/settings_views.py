"""The administrator's settings screens: users, teams, the role hierarchy and the sharing
defaults, and an index of every settings screen (including the generated configuration lists).

Only staff and superusers open them; every write goes through rapport.identity.settings_services.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from rapport.framework.actor import Actor
from rapport.framework.base_models import RecordModel
from rapport.framework.choices import Channel
from rapport.framework.exceptions import RecordPermissionDenied
from rapport.framework.registry import record_types
from rapport.framework.ui.refusals import refusal_as_message, refusal_on_form
from rapport.identity import settings_services as services
from rapport.identity.choices import OrgAccess, TeamAccess
from rapport.identity.models import Role, Team, User
from rapport.identity.settings_forms import (
    RoleForm,
    SharingDefaultsForm,
    TeamForm,
    UserFilterForm,
    UserForm,
)

View = Callable[..., HttpResponse]
USERS_PER_PAGE = 50


def is_administrator(user: Any) -> bool:
    return bool(user.is_active and (user.is_staff or user.is_superuser))


def staff_required(view: View) -> View:
    """Signed-in administrators only: others are sent to sign in, or refused (403)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_administrator(request.user):
            return render(request, "ui/denied.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped


def settings_actor(request: HttpRequest) -> Actor:
    return Actor(
        user=request.user,  # type: ignore[arg-type]
        channel=Channel.UI,
        request_id=getattr(request, "request_id", ""),
    )


# --- index -----------------------------------------------------------------------------------


@staff_required
def settings_index(request: HttpRequest) -> HttpResponse:
    """Links to every settings screen, the generated configuration lists included."""
    config = sorted(
        (
            {"label": rt.label_plural.capitalize(), "url": reverse("ui:list", args=[rt.key])}
            for rt in record_types()
            if rt.is_config
        ),
        key=lambda link: link["label"],
    )
    sections = [
        {
            "label": _("Users"),
            "url": reverse("settings-users"),
            "help": _("Create accounts, change roles and teams, deactivate people who left."),
        },
        {
            "label": _("Teams"),
            "url": reverse("settings-teams"),
            "help": _("Who works together; team members share their team's records."),
        },
        {
            "label": _("Roles"),
            "url": reverse("settings-roles"),
            "help": _("The role hierarchy: a role sees what the roles below it own."),
        },
        {
            "label": _("Sharing defaults"),
            "url": reverse("settings-sharing"),
            "help": _("What everyone may see or change of records they do not own."),
        },
        {
            "label": _("Pipelines and stages"),
            "url": reverse("settings-pipelines"),
            "help": _("Sales stages, their order and probabilities."),
        },
    ]
    return render(request, "identity/settings/index.html", {"sections": sections, "config": config})


# --- users -----------------------------------------------------------------------------------


def _users_matching(filters: UserFilterForm) -> QuerySet[User]:
    users = User.objects.select_related("role").order_by("username")
    data = filters.cleaned_data if filters.is_valid() else {}
    status = data.get("status") or "active"
    if status != "all":
        users = users.filter(is_active=status == "active")
    query = (data.get("q") or "").strip()
    if query:
        users = users.filter(
            Q(username__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(email__icontains=query)
        )
    return users


@staff_required
def user_list(request: HttpRequest) -> HttpResponse:
    filters = UserFilterForm(request.GET or {"status": "active"})
    page = Paginator(_users_matching(filters), USERS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "identity/settings/users.html",
        {"filters": filters, "page": page, "query": query.urlencode()},
    )


def _user_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "username": data["username"],
        "email": data["email"],
        "first_name": data.get("first_name", ""),
        "last_name": data.get("last_name", ""),
        "role": data.get("role"),
        "teams": list(data.get("teams") or []),
        "language": data["language"],
        "is_staff": bool(data.get("is_staff")),
        "password": data.get("password", ""),
    }


@staff_required
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    form = UserForm(request.POST or None, creating=True, initial={"language": "en"})
    if request.method == "POST" and form.is_valid():
        with refusal_on_form(form) as refused:
            actor = settings_actor(request)
            with transaction.atomic():  # no account without its invitation
                user = services.user_create(actor=actor, **_user_fields(form.cleaned_data))
                if form.cleaned_data.get("send_invite"):
                    services.user_invite_send(
                        actor=actor,
                        user=user,
                        domain=request.get_host(),
                        use_https=request.is_secure(),
                    )
        if not refused:
            if form.cleaned_data.get("send_invite"):
                done = _("User %(user)s created; a link to choose a password was emailed to them.")
            else:
                done = _("User %(user)s created.")
            messages.success(request, done % {"user": user.username})
            return redirect("settings-users")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "identity/settings/user_form.html", {"form": form, "target": None}, status=status
    )


@staff_required
@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(User, pk=pk)
    form = UserForm(request.POST or None, creating=False, initial=UserForm.initial_for(target))
    if request.method == "POST" and form.is_valid():
        with refusal_on_form(form) as refused:
            updated = services.user_update(
                actor=settings_actor(request), user=target, **_user_fields(form.cleaned_data)
            )
        if not refused:
            if updated.pk == request.user.pk:
                # A new password of one's own would otherwise end this session.
                update_session_auth_hash(request, updated)
            messages.success(request, _("Changes saved."))
            return redirect("settings-users")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "identity/settings/user_form.html",
        {"form": form, "target": target},
        status=status,
    )


def _user_set_active(request: HttpRequest, pk: int, active: bool) -> HttpResponse:
    target = get_object_or_404(User, pk=pk)
    service = services.user_reactivate if active else services.user_deactivate
    with refusal_as_message(request) as refused:
        service(actor=settings_actor(request), user=target)
    if not refused:
        done = _("%(user)s can sign in again.") if active else _("%(user)s was deactivated.")
        messages.success(request, done % {"user": target.username})
    return redirect("settings-user-edit", pk=pk)


@staff_required
@require_POST
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _user_set_active(request, pk, False)


@staff_required
@require_POST
def user_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _user_set_active(request, pk, True)


# --- teams -----------------------------------------------------------------------------------


@staff_required
def team_list(request: HttpRequest) -> HttpResponse:
    teams = Team.objects.select_related("lead").annotate(member_count=Count("members"))
    return render(request, "identity/settings/teams.html", {"teams": teams.order_by("name")})


def _team_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {"name": data["name"], "lead": data.get("lead"), "members": list(data["members"])}


@staff_required
@require_http_methods(["GET", "POST"])
def team_create(request: HttpRequest) -> HttpResponse:
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal_on_form(form) as refused:
            team = services.team_create(
                actor=settings_actor(request), **_team_fields(form.cleaned_data)
            )
        if not refused:
            messages.success(request, _("Team %(team)s created.") % {"team": team.name})
            return redirect("settings-teams")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "identity/settings/team_form.html", {"form": form, "team": None}, status=status
    )


@staff_required
@require_http_methods(["GET", "POST"])
def team_edit(request: HttpRequest, pk: int) -> HttpResponse:
    team = get_object_or_404(Team, pk=pk)
    form = TeamForm(request.POST or None, team=team, initial=TeamForm.initial_for(team))
    if request.method == "POST" and form.is_valid():
        with refusal_on_form(form) as refused:
            services.team_update(
                actor=settings_actor(request), team=team, **_team_fields(form.cleaned_data)
            )
        if not refused:
            messages.success(request, _("Changes saved."))
            return redirect("settings-teams")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "identity/settings/team_form.html", {"form": form, "team": team}, status=status
    )


@staff_required
@require_POST
def team_delete(request: HttpRequest, pk: int) -> HttpResponse:
    team = get_object_or_404(Team, pk=pk)
    with refusal_as_message(request) as refused:
        services.team_delete(actor=settings_actor(request), team=team)
    if refused:
        return redirect("settings-team-edit", pk=pk)
    messages.success(request, _("Team %(team)s deleted.") % {"team": team.name})
    return redirect("settings-teams")


# --- roles -----------------------------------------------------------------------------------


@dataclass
class RoleNode:
    role: Role
    children: list[RoleNode] = field(default_factory=list)


def role_tree() -> list[RoleNode]:
    """The role hierarchy: the top roles, each with the roles reporting to it, by name."""
    roles = list(Role.objects.annotate(user_count=Count("users")).order_by("name"))
    nodes = {role.pk: RoleNode(role) for role in roles}
    top: list[RoleNode] = []
    for role in roles:
        parent = nodes.get(role.parent_id) if role.parent_id else None
        (parent.children if parent else top).append(nodes[role.pk])
    return top


@staff_required
def role_list(request: HttpRequest) -> HttpResponse:
    return render(request, "identity/settings/roles.html", {"tree": role_tree()})


@staff_required
@require_http_methods(["GET", "POST"])
def role_create(request: HttpRequest) -> HttpResponse:
    form = RoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal_on_form(form) as refused:
            role = services.role_create(
                actor=settings_actor(request),
                name=form.cleaned_data["name"],
                parent=form.cleaned_data.get("parent"),
            )
        if not refused:
            messages.success(request, _("Role %(role)s created.") % {"role": role.name})
            return redirect("settings-roles")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "identity/settings/role_form.html", {"form": form, "role": None}, status=status
    )


@staff_required
@require_http_methods(["GET", "POST"])
def role_edit(request: HttpRequest, pk: int) -> HttpResponse:
    role = get_object_or_404(Role, pk=pk)
    form = RoleForm(
        request.POST or None, role=role, initial={"name": role.name, "parent": role.parent_id}
    )
    if request.method == "POST" and form.is_valid():
        with refusal_on_form(form) as refused:
            services.role_update(
                actor=settings_actor(request),
                role=role,
                name=form.cleaned_data["name"],
                parent=form.cleaned_data.get("parent"),
            )
        if not refused:
            messages.success(request, _("Changes saved."))
            return redirect("settings-roles")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "identity/settings/role_form.html", {"form": form, "role": role}, status=status
    )


@staff_required
@require_POST
def role_delete(request: HttpRequest, pk: int) -> HttpResponse:
    role = get_object_or_404(Role, pk=pk)
    with refusal_as_message(request) as refused:
        services.role_delete(actor=settings_actor(request), role=role)
    if refused:
        return redirect("settings-role-edit", pk=pk)
    messages.success(request, _("Role %(role)s deleted.") % {"role": role.name})
    return redirect("settings-roles")


# --- sharing defaults ------------------------------------------------------------------------


def owned_record_types() -> list[tuple[str, str]]:
    """``(key, label)`` of every record type whose records have an owner, by label."""
    return sorted(
        (
            (rt.key, rt.label_plural.capitalize())
            for rt in record_types()
            if issubclass(rt.model, RecordModel)
        ),
        key=lambda pair: pair[1],
    )


@staff_required
@require_http_methods(["GET", "POST"])
def sharing_defaults(request: HttpRequest) -> HttpResponse:
    form = SharingDefaultsForm(request.POST or None, record_types=owned_record_types())
    if request.method == "POST" and form.is_valid():
        actor = settings_actor(request)
        changed = {name.rsplit("-", 1)[0] for name in form.changed_data}
        try:
            # All rows or none: one refused row leaves every default as it was.
            with transaction.atomic():
                for key in sorted(changed):
                    services.sharing_default_set(
                        actor=actor,
                        record_type=key,
                        org_access=OrgAccess(form.cleaned_data[f"{key}-org_access"]),
                        team_access=TeamAccess(form.cleaned_data[f"{key}-team_access"]),
                    )
        except (ValidationError, RecordPermissionDenied) as exc:
            messages_text = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            form.add_error(None, messages_text)
        else:
            messages.success(request, _("Sharing defaults saved; they apply at once."))
            return redirect("settings-sharing")
    status = 400 if request.method == "POST" else 200
    return render(request, "identity/settings/sharing.html", {"form": form}, status=status)
