"""The admin's second-factor gate: staff see no admin page until this session passed TOTP (or a recovery code)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from accounts.stepup import session_mfa_verified

# The admin's own login and logout pages stay reachable: the gate sits between them.
EXEMPT_URL_NAMES = frozenset({"login", "logout", "jsi18n"})


class AdminMfaMiddleware:
    """Put after AuthenticationMiddleware (and CsrfViewMiddleware, whose check runs first)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        if match is None or "admin" not in match.namespaces or match.url_name in EXEMPT_URL_NAMES:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active or not user.is_staff:
            return None  # the admin itself sends them to its login page
        if session_mfa_verified(request):
            return None
        from accounts.admin_views import mfa_gate

        return mfa_gate(request)
