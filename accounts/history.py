"""Which account tables keep a field-level history (django-auditlog), and what it never records.

Never recorded (excluded): password hashes, API key hashes, TOTP seeds (active and pending), and
bookkeeping that changes at every login or request (``last_login``, a key's or device's
``last_used_*``). Masked: a person's e-mail address and name, an API client's name (the
identifier rule refuses a bare ``name``). Recovery codes are not registered: they are hashes
written and used once, and their use is in the hash-chained audit log.
"""

from __future__ import annotations

from audit.history import register_history

NOT_TRACKED = ["updated_at"]


def register() -> None:
    """Register the account models whose changes compliance reviews field by field."""
    from accounts.models import ApiClient, ApiKey, TotpDevice, User

    register_history(User, masked_fields=["email", "full_name"], exclude_fields=["password", "last_login"])
    register_history(ApiClient, masked_fields=["name"], exclude_fields=NOT_TRACKED)
    register_history(ApiKey, exclude_fields=[*NOT_TRACKED, "key_hash", "last_used_at"])
    register_history(
        TotpDevice,
        exclude_fields=[*NOT_TRACKED, "secret", "pending_secret", "last_used_step", "last_used_at"],
    )
