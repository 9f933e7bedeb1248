"""The vault's write services (re-exported here: ``from vault.services import identifier_store``)."""

from vault.services.errors import IdentifierNotFound, KeyInUseError, RevealDenied, RotationError, VaultError
from vault.services.identifiers import (
    RevealedIdentifier,
    RevealPurpose,
    identifier_reveal,
    identifier_store,
    identifier_store_validated,
)
from vault.services.keys import (
    key_version_add,
    key_version_promote,
    key_version_retire,
    rotation_resume,
    rotation_run,
    rotation_start,
)
from vault.services.secrets import secret_open, secret_seal

__all__ = [
    "IdentifierNotFound",
    "KeyInUseError",
    "RevealDenied",
    "RevealPurpose",
    "RevealedIdentifier",
    "RotationError",
    "VaultError",
    "identifier_reveal",
    "identifier_store",
    "identifier_store_validated",
    "key_version_add",
    "key_version_promote",
    "key_version_retire",
    "rotation_resume",
    "rotation_run",
    "rotation_start",
    "secret_open",
    "secret_seal",
]
