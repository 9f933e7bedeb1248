"""Errors of the vault's services (the crypto layer's own errors live in vault.crypto.errors)."""

from __future__ import annotations


class VaultError(Exception):
    """Base class; ``code`` is a stable machine-readable code for the API error envelope."""

    code = "vault_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class IdentifierNotFound(VaultError):
    code = "not_found"


class RevealDenied(VaultError):
    """A reveal was refused; ``code`` says why (permission_denied, step_up_required, ...)."""


class KeyInUseError(VaultError):
    code = "key_in_use"


class RotationError(VaultError):
    code = "rotation_error"
