from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from rapport.identity.choices import TokenScope
from rapport.identity.models import ApiToken


class RecordApiPermission(BasePermission):
    """Signed-in users only; a read-scope token may not write. Which records a user may touch
    is decided by ``restrict``, not here."""

    message = "Authentication required, or this token may only read."

    def has_permission(self, request: Request, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated and request.user.is_active):
            return False
        if isinstance(request.auth, ApiToken) and request.method not in SAFE_METHODS:
            return request.auth.scope == TokenScope.READ_WRITE
        return True
