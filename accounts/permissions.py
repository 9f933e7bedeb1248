"""DRF permissions backed by ``accounts.policy``.

``permission_classes = [HasAction("case.decide")]`` lets in people whose role allows the action and
who passed their second factor in this session, and API clients whose scopes allow it. Step-up is
checked separately (``accounts.stepup.require_step_up``), inside the view, once the object is known.
"""

from __future__ import annotations

from typing import Any

from rest_framework import status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from accounts import policy
from accounts.stepup import session_mfa_verified
from common.errors import ApiError


class MfaRequired(ApiError):
    """403 ``mfa_required``: a session without a verified second factor (POST /api/v1/auth/mfa/verify)."""

    def __init__(self) -> None:
        super().__init__(
            "mfa_required",
            "Verify your second factor for this session first (POST /api/v1/auth/mfa/verify).",
            status_code=status.HTTP_403_FORBIDDEN,
        )


def _require_session_mfa(request: Request) -> bool:
    if not session_mfa_verified(request):  # type: ignore[arg-type]
        raise MfaRequired()
    return True


def is_api_client(principal: Any) -> bool:
    return hasattr(principal, "key") and hasattr(principal, "client")


class IsOfficer(BasePermission):
    """A person (not an API client) with a session whose second factor was verified."""

    message = "This endpoint is for staff who have verified their second factor in this session."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not getattr(user, "is_authenticated", False) or is_api_client(user):
            return False
        return _require_session_mfa(request)


def HasAction(action: str) -> type[BasePermission]:
    """A permission class allowing ``action`` per the policy table (role for people, scope for clients)."""
    policy.rule_for(action)  # fail at import time for a typo

    class _HasAction(BasePermission):
        message = f"You are not allowed to perform {action!r}."

        def has_permission(self, request: Request, view: Any) -> bool:
            user = request.user
            if not policy.can(user, action):
                return False
            if is_api_client(user):
                return True
            return _require_session_mfa(request)

    _HasAction.__name__ = _HasAction.__qualname__ = f"HasAction[{action}]"
    return _HasAction


class IsPerson(BasePermission):
    """A logged-in person (session), whether or not the second factor was verified yet; not an API client."""

    message = "This endpoint is for people logged in with a session, not API clients."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(getattr(user, "is_authenticated", False)) and not is_api_client(user)
