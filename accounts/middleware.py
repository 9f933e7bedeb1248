"""The second-factor gate for sessions, in the admin and in the API.

Django's login creates an authenticated session after the password alone; until the person passes
their second factor in that session, this middleware lets it reach only the login/logout pages and
the endpoints that establish the factor. Admin pages answer with the verify (or enrol) page; API
calls answer 403 ``mfa_required``. API-key callers have no session user and are not affected.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse

from accounts.authentication import SCHEME
from accounts.stepup import session_mfa_verified
from common.errors import envelope

# The admin's own login and logout pages stay reachable: the gate sits between them.
ADMIN_EXEMPT = frozenset({"login", "logout", "jsi18n"})
# API endpoints a person needs before the factor is verified (to verify or enrol it, or to leave).
API_EXEMPT = frozenset(
    {
        "schema",
        "docs",
        "auth-whoami",
        "auth-mfa",
        "auth-mfa-verify",
        "auth-mfa-totp",
        "auth-mfa-totp-confirm",
        "auth-logout",
        "auth-sessions-revoke",
    }
)
API_PREFIX = "/api/"


def _presents_api_key(request: HttpRequest) -> bool:
    """An ``Api-Key`` header: DRF authenticates the key (or answers 401) and never uses the session.

    Any other scheme falls through to session authentication, so it must not skip the gate.
    """
    scheme = request.headers.get("Authorization", "").split(" ", 1)[0]
    return scheme.lower() == SCHEME.lower()


class SecondFactorMiddleware:
    """Put after AuthenticationMiddleware (and CsrfViewMiddleware, whose check runs first)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        user = getattr(request, "user", None)
        if match is None or user is None or not user.is_authenticated or not user.is_active:
            return None
        if request.path.startswith(API_PREFIX):
            return self._api(request, match.url_name)
        if "admin" in match.namespaces:
            return self._admin(request, match.url_name)
        return None

    def _api(self, request: HttpRequest, url_name: str | None) -> HttpResponse | None:
        if url_name in API_EXEMPT or _presents_api_key(request) or session_mfa_verified(request):
            return None
        body = envelope(
            "mfa_required", "Verify your second factor for this session first (POST /api/v1/auth/mfa/verify)."
        )
        return JsonResponse(body, status=403)

    def _admin(self, request: HttpRequest, url_name: str | None) -> HttpResponse | None:
        if url_name in ADMIN_EXEMPT or not request.user.is_staff or session_mfa_verified(request):
            return None  # non-staff are sent to the admin login page by the admin itself
        from accounts.admin_views import mfa_gate

        return mfa_gate(request)
