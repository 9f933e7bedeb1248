"""System check: the admin and the API must sit behind the second-factor gate."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Warning, register

MIDDLEWARE_PATH = "accounts.middleware.SecondFactorMiddleware"


@register()
def admin_mfa_middleware_installed(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """accounts.W001: SecondFactorMiddleware must come after AuthenticationMiddleware."""
    middleware = list(getattr(settings, "MIDDLEWARE", []))
    auth = "django.contrib.auth.middleware.AuthenticationMiddleware"
    if (
        MIDDLEWARE_PATH in middleware
        and auth in middleware
        and middleware.index(MIDDLEWARE_PATH) > middleware.index(auth)
    ):
        return []
    return [
        Warning(
            "Sessions reach the admin and the API without a second factor.",
            hint=f"Add {MIDDLEWARE_PATH!r} to MIDDLEWARE after {auth!r}.",
            id="accounts.W001",
        )
    ]
