"""Errors raised by the vault's crypto layer.

Messages name what failed (which check, which key id and version) and never carry plaintext,
key material or associated-data values, so they are safe to log and to show.
"""

from __future__ import annotations


class VaultCryptoError(Exception):
    """Base class of every crypto-layer failure."""


class EnvelopeFormatError(VaultCryptoError):
    """The blob is not a vault envelope, is truncated, or uses an unsupported format version."""


class KeyUnavailableError(VaultCryptoError):
    """The key id or key version named by an envelope or token is not known to the key ring."""


class KeyRetiredError(KeyUnavailableError):
    """The key version exists but has been retired: it may no longer wrap or unwrap anything."""


class KeyUnwrapError(VaultCryptoError):
    """The wrapped data key failed its integrity check (altered wrapped key, key id or key version)."""


class AuthenticationError(VaultCryptoError):
    """AES-GCM authentication failed: ciphertext, nonce, tag or associated data were altered."""


class KeyStateError(VaultCryptoError):
    """A key-state transition is not allowed (for example retiring the primary version)."""


class KeyProviderError(VaultCryptoError):
    """The key provider cannot load, create or store key material."""
