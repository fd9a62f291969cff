"""API rate limits per token (or user) and per client address, as fixed-window counters.

DRF's SimpleRateThrottle keeps the time of every request in the window and rewrites that list
on each request: at thousands of requests a minute that is the most expensive part of a
request. A counter per window (rapport.framework.api.counters) costs one small upsert.
"""

from typing import Any

from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from rapport.framework.api.counters import counter_hit
from rapport.identity.models import ApiToken


class FixedWindowRateThrottle(SimpleRateThrottle):
    """At most ``num_requests`` per window of ``duration`` seconds per cache key."""

    wait_seconds: float = 0.0
    num_requests: int
    duration: int

    def allow_request(self, request: Request, view: Any) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        now = self.timer()
        window = int(now // self.duration)
        count = counter_hit(key, window=window, ttl=int(self.duration) + 1)
        self.wait_seconds = (window + 1) * self.duration - now
        return count <= self.num_requests

    def wait(self) -> float:
        return max(self.wait_seconds, 0.0)


class TokenRateThrottle(FixedWindowRateThrottle):
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


class IpRateThrottle(FixedWindowRateThrottle):
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
