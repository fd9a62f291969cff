"""Screens of signing in: password, then (for users who turned it on) an authentication code;
the lock-out message; password reset by email; and the account's Security page, where users
set up or turn off two-factor authentication and renew their recovery codes."""

from __future__ import annotations

import time
from typing import Any, TypedDict, cast

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as django_auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from rapport.framework.actor import Actor
from rapport.framework.api.serializers import actor_from_request
from rapport.framework.choices import Channel
from rapport.identity import otp
from rapport.identity.auth_forms import (
    AuthenticationCodeForm,
    PasswordCheckForm,
    SignInForm,
    TotpConfirmForm,
)
from rapport.identity.models import RecoveryCode, TotpDevice, User
from rapport.identity.two_factor_services import (
    recovery_codes_regenerate,
    second_factor_verify,
    totp_device_begin,
    totp_device_confirm,
    totp_device_confirmed,
    totp_disable,
)

PENDING_KEY = "identity.sign_in_pending"
RECOVERY_CODES_KEY = "identity.new_recovery_codes"
# The code step must follow the password step within this many seconds.
PENDING_MAX_AGE = 5 * 60
# Wrong codes before the user goes back to the password step (the lock-out counts them too).
CODE_ATTEMPTS = 5


class PendingSignIn(TypedDict):
    """A sign-in whose password was right and whose authentication code is still to come."""

    user_id: int
    backend: str
    next: str
    since: float
    auth_hash: str
    failures: int


# --- signing in ----------------------------------------------------------------------------------


class SignInView(django_auth_views.LoginView):
    """Username or email and password; users with two-factor authentication go on to the code."""

    form_class = SignInForm
    template_name = "identity/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: SignInForm) -> HttpResponse:  # type: ignore[override]
        user = form.get_user()
        if totp_device_confirmed(user) is None:
            return super().form_valid(form)
        # Not signed in yet: the session only remembers whose code to ask for, under a new key.
        self.request.session.cycle_key()
        pending: PendingSignIn = {
            "user_id": user.pk,
            "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[-1]),
            "next": self.get_success_url(),
            "since": time.time(),
            "auth_hash": user.get_session_auth_hash(),
            "failures": 0,
        }
        self.request.session[PENDING_KEY] = pending
        return redirect("login_code")


def _pending_sign_in(request: HttpRequest) -> tuple[PendingSignIn, User] | None:
    """The pending sign-in of this session and its user, unless expired or no longer valid
    (user deactivated, password changed)."""
    pending: PendingSignIn | None = request.session.get(PENDING_KEY)
    if pending is None:
        return None
    user = User.objects.filter(pk=pending["user_id"], is_active=True).first()
    if (
        user is None
        or time.time() - pending["since"] > PENDING_MAX_AGE
        or user.get_session_auth_hash() != pending["auth_hash"]
    ):
        request.session.pop(PENDING_KEY, None)
        return None
    return pending, user


def _safe_next(request: HttpRequest, url: str) -> str:
    if url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse(settings.LOGIN_REDIRECT_URL)


@method_decorator([sensitive_post_parameters("code"), never_cache], name="dispatch")
class SignInCodeView(View):
    """The second sign-in step: a code from the authenticator app, or a recovery code."""

    template_name = "identity/login_code.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        found = _pending_sign_in(request)
        if found is None:
            messages.info(request, _("Sign in with your password first."))
            return redirect("login")
        self.pending, self.user = found
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": AuthenticationCodeForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        credentials = {"username": self.user.username}
        if settings.AXES_ENABLED and not AxesProxyHandler.is_allowed(request, credentials):
            request.session.pop(PENDING_KEY, None)
            return locked_out(request, None, credentials)
        form = AuthenticationCodeForm(request.POST)
        if form.is_valid():
            factor = second_factor_verify(user=self.user, code=form.cleaned_data["code"])
            if factor is not None:
                return self._signed_in(request, factor)
            form.add_error("code", _("This code is wrong or has been used already."))
            return self._wrong_code(request, form, credentials)
        return render(request, self.template_name, {"form": form})

    def _signed_in(self, request: HttpRequest, factor: otp.SecondFactor) -> HttpResponse:
        request.session.pop(PENDING_KEY, None)
        auth_login(request, self.user, backend=self.pending["backend"])
        if factor == otp.SecondFactor.RECOVERY_CODE:
            left = RecoveryCode.objects.filter(user=self.user, used_at__isnull=True).count()
            messages.warning(
                request,
                ngettext(
                    "You signed in with a recovery code; %(count)d code is left. "
                    "New ones are on the Security page.",
                    "You signed in with a recovery code; %(count)d codes are left. "
                    "New ones are on the Security page.",
                    left,
                )
                % {"count": left},
            )
        return redirect(_safe_next(request, self.pending["next"]))

    def _wrong_code(
        self, request: HttpRequest, form: AuthenticationCodeForm, credentials: dict[str, str]
    ) -> HttpResponse:
        self.pending["failures"] += 1
        request.session[PENDING_KEY] = self.pending
        # Counted like a wrong password: the lock-out applies to guessing codes as well.
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if getattr(request, "axes_locked_out", False) or self.pending["failures"] >= CODE_ATTEMPTS:
            request.session.pop(PENDING_KEY, None)
            if getattr(request, "axes_locked_out", False):
                return locked_out(request, None, credentials)
            messages.error(request, _("Too many wrong codes. Sign in again."))
            return redirect("login")
        return render(request, self.template_name, {"form": form})


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The sign-in page with the lock-out message (django-axes' AXES_LOCKOUT_CALLABLE)."""
    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else 0
    if minutes:
        message = ngettext(
            "Too many failed sign-in attempts. Signing in to this account from here is locked "
            "for %(minutes)d minute. Try again later, or reset your password.",
            "Too many failed sign-in attempts. Signing in to this account from here is locked "
            "for %(minutes)d minutes. Try again later, or reset your password.",
            minutes,
        ) % {"minutes": minutes}
    else:
        message = _(
            "Too many failed sign-in attempts. Signing in to this account is locked; "
            "ask an administrator to unlock it."
        )
    context = {"form": SignInForm(request), "locked_message": message, "next": ""}
    # 429 Too Many Requests, as django-axes answers by default.
    return render(request, "identity/login.html", context, status=429)


# --- password reset ------------------------------------------------------------------------------


class PasswordResetView(django_auth_views.PasswordResetView):
    """Asks for the email address; sends a link to every active account with that address."""

    template_name = "identity/password_reset_form.html"
    email_template_name = "identity/password_reset_email.txt"
    subject_template_name = "identity/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")


class PasswordResetConfirmView(django_auth_views.PasswordResetConfirmView):
    """The link from the email: a new password, which also lifts a lock-out of the account."""

    template_name = "identity/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form: SetPasswordForm[Any]) -> HttpResponse:
        response = super().form_valid(form)
        # Whoever set the new password proved they own the account's mailbox.
        axes_reset(username=form.user.get_username())
        return response


# --- the Security page ---------------------------------------------------------------------------


def _security_actor(request: HttpRequest) -> Actor:
    return actor_from_request(request, channel=Channel.UI)


def _me(request: HttpRequest) -> User:
    # The user itself, not the lazy object around it: the change log records its model.
    # (Views that call this are behind login_required.)
    return User.objects.get(pk=cast(int, request.user.pk))


def _security_context(user: User) -> dict[str, Any]:
    device = totp_device_confirmed(user)
    context: dict[str, Any] = {"device": device, "password_form": PasswordCheckForm(user)}
    if device is not None:
        context["codes_left"] = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
    return context


@login_required
@never_cache
def security(request: HttpRequest) -> HttpResponse:
    """Two-factor authentication: its state and what the user can do about it."""
    return render(request, "identity/security.html", _security_context(_me(request)))


def _password_refusal(request: HttpRequest, action: str) -> HttpResponse | None:
    """None if the password typed for ``action`` is right; else the Security page with the error.
    Wrong passwords count toward the lock-out like wrong sign-ins, and a lock-out ends the
    session: they may come from someone who found the session open."""
    credentials = {"username": request.user.get_username()}
    allowed = not settings.AXES_ENABLED or AxesProxyHandler.is_allowed(request, credentials)
    form = PasswordCheckForm(request.user, request.POST)  # type: ignore[arg-type]
    if allowed and form.is_valid():
        return None
    if allowed:
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    if not allowed or getattr(request, "axes_locked_out", False):
        auth_logout(request)
        return locked_out(request, None, credentials)
    context = {**_security_context(_me(request)), "failed_form": form, "failed_action": action}
    return render(request, "identity/security.html", context, status=400)


@login_required
@require_POST
@sensitive_post_parameters("password")
def totp_setup_start(request: HttpRequest) -> HttpResponse:
    """Begin setting up an authenticator app (asks for the password first)."""
    refusal = _password_refusal(request, "setup")
    if refusal is not None:
        return refusal
    try:
        totp_device_begin(actor=_security_actor(request), user=_me(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("account_security")
    return redirect("account_totp_confirm")


@login_required
@never_cache
@sensitive_post_parameters("code")
def totp_setup_confirm(request: HttpRequest) -> HttpResponse:
    """The QR code and the secret of the new app, and a code from it to confirm."""
    user = _me(request)
    device = TotpDevice.objects.filter(user=user, confirmed_at__isnull=True).first()
    if device is None:
        return redirect("account_security")
    form = TotpConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = totp_device_confirm(
                actor=_security_actor(request), user=user, code=form.cleaned_data["code"]
            )
        except ValidationError as exc:
            for message in exc.message_dict.get("code", exc.messages):
                form.add_error("code", message)
        else:
            request.session[RECOVERY_CODES_KEY] = codes
            messages.success(request, _("Two-factor authentication is on."))
            return redirect("account_recovery_codes")
    uri = otp.totp_provisioning_uri(device.secret, user.email or user.get_username())
    context = {
        "form": form,
        "qr_data_uri": otp.qr_svg_data_uri(uri),
        "secret": otp.secret_for_display(device.secret),
    }
    return render(request, "identity/totp_setup.html", context, status=400 if form.errors else 200)


@login_required
@never_cache
def recovery_codes_show(request: HttpRequest) -> HttpResponse:
    """New recovery codes, shown this once (a reload shows the Security page instead)."""
    codes = request.session.pop(RECOVERY_CODES_KEY, None)
    if not codes:
        return redirect("account_security")
    return render(request, "identity/recovery_codes.html", {"codes": codes})


@login_required
@require_POST
@sensitive_post_parameters("password")
def recovery_codes_renew(request: HttpRequest) -> HttpResponse:
    refusal = _password_refusal(request, "renew")
    if refusal is not None:
        return refusal
    try:
        codes = recovery_codes_regenerate(actor=_security_actor(request), user=_me(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("account_security")
    request.session[RECOVERY_CODES_KEY] = codes
    return redirect("account_recovery_codes")


@login_required
@require_POST
@sensitive_post_parameters("password")
def totp_turn_off(request: HttpRequest) -> HttpResponse:
    refusal = _password_refusal(request, "disable")
    if refusal is not None:
        return refusal
    totp_disable(actor=_security_actor(request), user=_me(request))
    messages.success(request, _("Two-factor authentication is off."))
    return redirect("account_security")
