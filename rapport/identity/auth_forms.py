"""Forms of signing in, the authentication-code step and the account security screens."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from rapport.identity.models import TotpDevice, User


class SignInForm(AuthenticationForm):
    """Username or email address and password."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "The username or email and password do not match an active account. "
            "Passwords are case-sensitive."
        ),
    }

    def __init__(self, request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Username or email")
        # Room for an email address (a username has at most 150 characters).
        username = cast(forms.CharField, self.fields["username"])
        username.max_length = 254
        username.widget.attrs["maxlength"] = 254
        self.fields["username"].error_messages["required"] = _("Type your username or email.")
        self.fields["password"].label = _("Password")
        self.fields["password"].error_messages["required"] = _("Type your password.")


class AdminSignInForm(AdminAuthenticationForm):
    """The admin site's sign-in, which has no authentication-code step: users with two-factor
    authentication sign in on the main sign-in page instead."""

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if TotpDevice.objects.filter(user_id=user.pk, confirmed_at__isnull=False).exists():
            raise forms.ValidationError(
                _(
                    "Your account uses two-factor authentication: sign in on the main "
                    "sign-in page, then open the administration."
                ),
                code="two_factor_required",
            )


class AuthenticationCodeForm(forms.Form):
    """The second sign-in step: a code from the authenticator app or a recovery code."""

    code = forms.CharField(
        label=_("Authentication code"),
        max_length=32,
        error_messages={"required": _("Type the code from your authenticator app.")},
    )


class PasswordCheckForm(forms.Form):
    """The user's current password, asked again before a change to their account's security."""

    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Type your password.")},
    )

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your password."), code="wrong_password")
        return password


class TotpConfirmForm(forms.Form):
    code = forms.CharField(
        label=_("Authentication code"),
        max_length=32,
        error_messages={"required": _("Type the code your app shows.")},
    )
