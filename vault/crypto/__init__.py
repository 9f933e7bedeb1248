"""The vault's cryptography, free of Django: envelope AEAD, key versions, lookup tokens, masking.

>>> from vault.crypto import Context, KeyRing, KeyState, LocalKeyProvider, open_, seal
>>> ring = KeyRing(LocalKeyProvider.generate(), "kek", {1: KeyState.PRIMARY})
>>> where = Context(table="vault_storedidentifier", record_id="42", field="value")
>>> open_(ring, seal(ring, b"L898902C3", where), where)
b'L898902C3'
"""

from vault.crypto import aead
from vault.crypto.envelope import Context, Envelope, key_version_of, open_, rewrap, seal
from vault.crypto.errors import (
    AuthenticationError,
    EnvelopeFormatError,
    KeyProviderError,
    KeyRetiredError,
    KeyStateError,
    KeyUnavailableError,
    KeyUnwrapError,
    VaultCryptoError,
)
from vault.crypto.keys import KeyRing, KeyState, states_add, states_promote, states_retire
from vault.crypto.masking import mask
from vault.crypto.providers import KeyProvider, LocalKeyProvider
from vault.crypto.tokens import TokenFormatError, is_token, lookup_tokens, token_for, token_version

__all__ = [
    "AuthenticationError",
    "Context",
    "Envelope",
    "EnvelopeFormatError",
    "KeyProvider",
    "KeyProviderError",
    "KeyRetiredError",
    "KeyRing",
    "KeyState",
    "KeyStateError",
    "KeyUnavailableError",
    "KeyUnwrapError",
    "LocalKeyProvider",
    "TokenFormatError",
    "VaultCryptoError",
    "aead",
    "is_token",
    "key_version_of",
    "lookup_tokens",
    "mask",
    "open_",
    "rewrap",
    "seal",
    "states_add",
    "states_promote",
    "states_retire",
    "token_for",
    "token_version",
]
