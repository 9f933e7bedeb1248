"""The two primitives of the envelope: AES-256-GCM for values and AES key wrap for data keys.

Both come from pyca/cryptography; this module only fixes their parameters (256-bit keys, 96-bit
nonces, 128-bit tags) and translates their exceptions into the vault's own errors.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

from vault.crypto.errors import AuthenticationError, KeyUnwrapError

KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
#: RFC 3394 adds one 64-bit block to the wrapped key.
WRAPPED_KEY_BYTES = KEY_BYTES + 8


def new_key() -> bytes:
    """A fresh 256-bit key from the operating system's CSPRNG."""
    return os.urandom(KEY_BYTES)


def new_nonce() -> bytes:
    """A fresh random 96-bit GCM nonce (safe: every data key encrypts exactly one value)."""
    return os.urandom(NONCE_BYTES)


def _check_key(key: bytes) -> None:
    if len(key) != KEY_BYTES:
        raise ValueError(f"AES-256 needs a {KEY_BYTES}-byte key, got {len(key)} bytes")


def gcm_seal(key: bytes, nonce: bytes, plaintext: bytes, associated_data: bytes) -> bytes:
    """AES-256-GCM encrypt; returns ciphertext followed by the 16-byte tag."""
    _check_key(key)
    if len(nonce) != NONCE_BYTES:
        raise ValueError(f"the nonce must be {NONCE_BYTES} bytes, got {len(nonce)}")
    return AESGCM(key).encrypt(nonce, plaintext, associated_data)


def gcm_open(key: bytes, nonce: bytes, ciphertext_and_tag: bytes, associated_data: bytes) -> bytes:
    """AES-256-GCM decrypt and verify; raises AuthenticationError on any alteration."""
    _check_key(key)
    if len(nonce) != NONCE_BYTES:
        raise ValueError(f"the nonce must be {NONCE_BYTES} bytes, got {len(nonce)}")
    if len(ciphertext_and_tag) < TAG_BYTES:
        raise AuthenticationError("ciphertext is shorter than the 16-byte authentication tag")
    try:
        return AESGCM(key).decrypt(nonce, ciphertext_and_tag, associated_data)
    except InvalidTag:
        raise AuthenticationError(
            "AES-GCM authentication failed: the ciphertext, nonce, tag or associated data "
            "(table, record id, field) do not match what was encrypted"
        ) from None


def key_wrap(kek: bytes, data_key: bytes) -> bytes:
    """Wrap a data key with AES key wrap (RFC 3394)."""
    _check_key(kek)
    return aes_key_wrap(kek, data_key)


def key_unwrap(kek: bytes, wrapped: bytes) -> bytes:
    """Unwrap a data key (RFC 3394); raises KeyUnwrapError when the integrity check fails."""
    _check_key(kek)
    try:
        return aes_key_unwrap(kek, wrapped)
    except (InvalidUnwrap, ValueError):
        raise KeyUnwrapError(
            "data key unwrap failed (RFC 3394 integrity check): the wrapped key was altered "
            "or was not wrapped by this key version"
        ) from None
