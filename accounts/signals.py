"""Audit Django's own login, failed-login and logout events (the admin login form sends them)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts import services
from accounts.models import User


@receiver(user_logged_in, dispatch_uid="accounts.audit_login")
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if isinstance(user, User):
        services.login_succeeded(user=user)


@receiver(user_login_failed, dispatch_uid="accounts.audit_login_failed")
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    services.login_failed(email=str(credentials.get("email") or credentials.get("username") or ""))


@receiver(user_logged_out, dispatch_uid="accounts.audit_logout")
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if isinstance(user, User):
        services.logout_done(user=user)
