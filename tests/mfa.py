"""Test helper for sessions that have passed their second factor (what the login flow records).

Once ``accounts.middleware.SecondFactorMiddleware`` is installed, a session made with
``client.force_login(user)`` reaches only the login and MFA endpoints. Tests that log a person in
directly add one line::

    from tests.mfa import mark_mfa_verified
    client.force_login(user)
    mark_mfa_verified(client, user)

(or use the ``officer_api`` / ``login_api`` fixtures, which do it).
"""

from __future__ import annotations

from typing import Any


def mark_mfa_verified(client: Any, user: Any) -> None:
    """Record in ``client``'s session that ``user`` passed the second factor in it."""
    from django.utils import timezone

    from accounts.stepup import MFA_SESSION_KEY

    session = client.session
    session[MFA_SESSION_KEY] = {"user": str(user.pk), "at": timezone.now().isoformat(), "factor": "test"}
    session.save()
