"""Signing in and out, password reset by email, and the account's Security page."""

from django.contrib.auth import views as django_auth_views
from django.urls import path

from rapport.identity import auth_views

urlpatterns = [
    path("login/", auth_views.SignInView.as_view(), name="login"),
    path("login/code/", auth_views.SignInCodeView.as_view(), name="login_code"),
    path("logout/", django_auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        django_auth_views.PasswordResetDoneView.as_view(
            template_name="identity/password_reset_done.html"
        ),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        django_auth_views.PasswordResetCompleteView.as_view(
            template_name="identity/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("account/security/", auth_views.security, name="account_security"),
    path("account/security/totp/", auth_views.totp_setup_start, name="account_totp_start"),
    path(
        "account/security/totp/confirm/",
        auth_views.totp_setup_confirm,
        name="account_totp_confirm",
    ),
    path("account/security/totp/off/", auth_views.totp_turn_off, name="account_totp_off"),
    path(
        "account/security/recovery-codes/",
        auth_views.recovery_codes_show,
        name="account_recovery_codes",
    ),
    path(
        "account/security/recovery-codes/renew/",
        auth_views.recovery_codes_renew,
        name="account_recovery_codes_renew",
    ),
]
