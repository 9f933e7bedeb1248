"""Map second-factor outcomes to API errors (one place, so every endpoint answers alike)."""

from __future__ import annotations

from rest_framework import status

from accounts.services.mfa import Outcome, Verification
from common.errors import ApiError


def raise_for(result: Verification) -> None:
    """Raise the API error for a refused verification; return when it was accepted."""
    if result.ok:
        return
    if result.outcome is Outcome.THROTTLED:
        raise ApiError(
            "mfa_throttled",
            f"Too many wrong codes. Retry in {result.retry_after} seconds.",
            status_code=status.HTTP_429_TOO_MANY_REQUESTS,
            fields={"retry_after": result.retry_after},
        )
    if result.outcome is Outcome.LOCKED:
        raise ApiError(
            "mfa_locked",
            f"Second-factor checks are locked after too many failures. Retry in {result.retry_after} seconds.",
            status_code=status.HTTP_429_TOO_MANY_REQUESTS,
            fields={"retry_after": result.retry_after},
        )
    if result.outcome is Outcome.NOT_ENROLLED:
        raise ApiError(
            "mfa_not_enrolled",
            "No authenticator app is enrolled (or the enrolment expired): start with POST /api/v1/auth/mfa/totp.",
            status_code=status.HTTP_409_CONFLICT,
        )
    # Wrong and replayed codes look alike to the caller; the audit trail tells them apart.
    raise ApiError(
        "mfa_code_invalid",
        "The code was not accepted. Codes work once: wait for the next one.",
        status_code=status.HTTP_403_FORBIDDEN,
        fields={"retry_after": result.retry_after} if result.retry_after else None,
    )
