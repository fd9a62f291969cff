"""Forms of the administrator's settings screens: they parse and shape input only; the
services in rapport.identity.services validate the rules and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import password_validators_help_texts
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rapport.identity.choices import OrgAccess, TeamAccess
from rapport.identity.models import Role, SharingDefault, Team, User


class SettingsForm(forms.Form):
    """A form whose invalid inputs say so to assistive technology (``aria-invalid`` and
    ``aria-describedby`` pointing at the message shown beside the field)."""

    def full_clean(self) -> None:
        super().full_clean()
        self._mark_invalid()

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        self._mark_invalid()

    def _mark_invalid(self) -> None:
        for name in self.errors:
            if name in self.fields:
                field = self.fields[name]
                auto_id = self[name].auto_id
                described = [f"{auto_id}_helptext"] if field.help_text else []
                field.widget.attrs["aria-invalid"] = "true"
                field.widget.attrs["aria-describedby"] = " ".join([*described, f"{auto_id}-err"])

    def service_errors(self, exc: ValidationError) -> None:
        """Show a service's validation errors beside the fields they name (the others at the
        top of the form)."""
        if hasattr(exc, "error_dict"):
            for name, errors in exc.error_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        else:
            self.add_error(None, exc.error_list)


def _member_choices(team: Team | None) -> forms.ModelMultipleChoiceField:
    # Active users, and the team's current members even if deactivated, so that saving the
    # form does not silently drop them.
    current = Q(teams=team) if team is not None else Q(pk__in=[])
    return forms.ModelMultipleChoiceField(
        label=_("Members"),
        queryset=User.objects.filter(Q(is_active=True) | current).distinct().order_by("username"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("Hold Ctrl (⌘ on a Mac) or Shift to choose several."),
    )


class UserFilterForm(forms.Form):
    """The search box and status filter of the users list."""

    STATUS_CHOICES = [
        ("active", _("Active")),
        ("inactive", _("Deactivated")),
        ("all", _("All")),
    ]
    q = forms.CharField(label=_("Search users"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)


class UserForm(SettingsForm):
    """A user's details; on creation a password is required, on edit it is optional."""

    username = forms.CharField(label=_("Username"), max_length=150)
    email = forms.EmailField(label=_("Email address"))
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    role = forms.ModelChoiceField(
        label=_("Role"), queryset=Role.objects.order_by("name"), required=False, empty_label="—"
    )
    teams = forms.ModelMultipleChoiceField(
        label=_("Teams"),
        queryset=Team.objects.order_by("name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text=_("Hold Ctrl (⌘ on a Mac) or Shift to choose several."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    is_staff = forms.BooleanField(
        label=_("Administrator (may open the settings screens)"), required=False
    )
    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=_("Password again"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    send_invite = forms.BooleanField(
        label=_("Email a link to choose a password instead"),
        required=False,
        help_text=_("The new user receives a one-time link at their email address."),
    )

    def __init__(self, *args: Any, creating: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.creating = creating
        self.fields["password"].help_text = " ".join(password_validators_help_texts())
        if not creating:
            del self.fields["send_invite"]
            self.fields["password"].label = _("New password")
            self.fields["password"].help_text = " ".join(
                [
                    str(_("Leave empty to keep the current password.")),
                    self.fields["password"].help_text,
                ]
            )
            self.fields["password_again"].label = _("New password again")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password", "") != data.get("password_again", ""):
            self.add_error("password_again", _("The two passwords differ."))
        if self.creating and not data.get("password") and not data.get("send_invite"):
            self.add_error(
                "password", _("Enter a password, or choose to email a link to choose one.")
            )
        if data.get("send_invite") and data.get("password"):
            self.add_error("send_invite", _("Either enter a password or email a link, not both."))
        return data

    @staticmethod
    def initial_for(user: User) -> dict[str, Any]:
        return {
            "username": user.username,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "role": user.role_id,
            "teams": list(user.teams.values_list("id", flat=True)),
            "language": user.language,
            "is_staff": user.is_staff,
        }


class TeamForm(SettingsForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    lead = forms.ModelChoiceField(
        label=_("Team lead"),
        queryset=User.objects.filter(is_active=True).order_by("username"),
        required=False,
        empty_label="—",
    )

    def __init__(self, *args: Any, team: Team | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"] = _member_choices(team)

    @staticmethod
    def initial_for(team: Team) -> dict[str, Any]:
        return {
            "name": team.name,
            "lead": team.lead_id,
            "members": list(team.members.values_list("id", flat=True)),
        }


class RoleForm(SettingsForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    parent = forms.ModelChoiceField(
        label=_("Reports to"),
        queryset=Role.objects.order_by("name"),
        required=False,
        empty_label=_("— nobody (top of the hierarchy) —"),
    )

    def __init__(self, *args: Any, role: Role | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if role is not None:
            field = self.fields["parent"]
            field.queryset = field.queryset.exclude(pk=role.pk)  # type: ignore[attr-defined]


class SharingDefaultsForm(SettingsForm):
    """The organisation-wide and team access of every record type with owners, one row each."""

    def __init__(self, *args: Any, record_types: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = {d.record_type: d for d in SharingDefault.objects.all()}
        self.rows: list[tuple[str, str]] = record_types
        for key, label in record_types:
            default = current.get(key)
            self.fields[f"{key}-org_access"] = forms.ChoiceField(
                label=_("%(type)s: organisation-wide access") % {"type": label},
                choices=OrgAccess.choices,
                initial=default.org_access if default else OrgAccess.PRIVATE,
            )
            self.fields[f"{key}-team_access"] = forms.ChoiceField(
                label=_("%(type)s: access of the record's team") % {"type": label},
                choices=TeamAccess.choices,
                initial=default.team_access if default else TeamAccess.READ,
            )

    def table(self) -> list[dict[str, Any]]:
        """One row per record type: its label and its two bound fields."""
        return [
            {"key": key, "label": label, "org": self[f"{key}-org_access"]}
            | {"team": self[f"{key}-team_access"]}
            for key, label in self.rows
        ]
