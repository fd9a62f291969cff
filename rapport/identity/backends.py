"""Sign-in by username or email address, and how django-axes names the account and the client
of a sign-in attempt."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest
from rest_framework.settings import api_settings

from rapport.identity.models import User


def user_for_identifier(identifier: str) -> User | None:
    """The active user whose username is ``identifier`` or, failing that, the only active user
    with that email address (compared case-insensitively); None when there is none or several."""
    identifier = identifier.strip()
    if not identifier:
        return None
    user = User.objects.filter(username=identifier, is_active=True).first()
    if user is not None or "@" not in identifier:
        return user
    # Email addresses are not unique: an address two accounts share signs neither in.
    matches = list(User.objects.filter(email__iexact=identifier, is_active=True)[:2])
    return matches[0] if len(matches) == 1 else None


class UsernameOrEmailBackend(ModelBackend):
    """Authenticates an active user by username or email address and password."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if not username or password is None:
            return None
        user = user_for_identifier(username)
        if user is None:
            # Hash anyway, so that response times do not tell which accounts exist.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    """The account an attempt is counted against: the username an email address belongs to,
    so that switching between the two does not double the allowed attempts."""
    if credentials is not None:
        typed = credentials.get("username")
    else:
        typed = request.POST.get("username") if request.method == "POST" else None
    typed = str(typed or "").strip()
    user = user_for_identifier(typed)
    return user.username if user is not None else typed.lower()


def client_ip_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the X-Forwarded-For entry added by the outermost of
    ``NUM_PROXIES`` trusted proxies (the header is never trusted when NUM_PROXIES is unset)."""
    remote_addr = str(request.META.get("REMOTE_ADDR", ""))
    num_proxies = api_settings.NUM_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if not num_proxies or not forwarded:
        return remote_addr
    addresses = [a.strip() for a in str(forwarded).split(",")]
    return addresses[-min(num_proxies, len(addresses))]
