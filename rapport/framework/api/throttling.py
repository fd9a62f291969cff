from typing import Any

from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from rapport.identity.models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    """Requests per API token (or per signed-in user for session requests)."""

    scope = "token"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if isinstance(request.auth, ApiToken):
            ident = f"t{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"u{request.user.pk}"
        else:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}


class IpRateThrottle(SimpleRateThrottle):
    """Requests per client address, signed in or not."""

    scope = "ip"

    def get_ident(self, request: Request) -> str:
        """The peer address. DRF would take X-Forwarded-For when ``NUM_PROXIES`` is unset,
        which lets any client pick a new address per request; trust the header only when the
        number of proxies in front of the application is configured."""
        if api_settings.NUM_PROXIES is None:
            return str(request.META.get("REMOTE_ADDR", ""))
        return str(super().get_ident(request))

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
