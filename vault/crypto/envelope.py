"""Envelope encryption: a fresh AES-256-GCM data key per value, wrapped by a key-encryption key.

Binary layout (all integers big-endian)::

    offset  size  field
    0       2     magic b"TV" (Tillit Vault)
    2       1     format version (1)
    3       1     key id length n (1..64)
    4       n     key id (ASCII), e.g. b"kek"
    4+n     4     key version (uint32)
    8+n     2     wrapped data key length w
    10+n    w     wrapped data key (RFC 3394 AES key wrap: 40 bytes for the local provider)
    10+n+w  12    GCM nonce (random)
    22+n+w  ...   ciphertext, then the 16-byte GCM tag

The GCM associated data binds the value to where it is stored: the magic and format version plus
the table, record id and field (length-prefixed). A ciphertext copied to another row or field does
not decrypt. The key id, key version and wrapped key are deliberately *not* in the associated data,
so that rotation can re-wrap the data key without touching the ciphertext; altering them still
fails, because the wrapped key then fails RFC 3394's integrity check under the named KEK.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from vault.crypto import aead
from vault.crypto.errors import EnvelopeFormatError, KeyUnavailableError
from vault.crypto.keys import KeyRing

MAGIC = b"TV"
FORMAT_VERSION = 1
MAX_KEY_ID_BYTES = 64
MAX_CONTEXT_BYTES = 1024
_AD_LABEL = b"tillit-vault-ad"


@dataclass(frozen=True)
class Context:
    """Where a value is stored: the associated data that binds its ciphertext to that place."""

    table: str
    record_id: str
    field: str

    def __post_init__(self) -> None:
        for name in ("table", "record_id", "field"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value:
                raise ValueError(f"the encryption context needs a non-empty {name}")
            if len(value.encode("utf-8")) > MAX_CONTEXT_BYTES:
                raise ValueError(f"the encryption context's {name} is longer than {MAX_CONTEXT_BYTES} bytes")

    def encode(self, format_version: int = FORMAT_VERSION) -> bytes:
        """Unambiguous byte encoding used as GCM associated data."""
        parts = [_AD_LABEL, MAGIC, bytes([format_version])]
        for value in (self.table, self.record_id, self.field):
            raw = value.encode("utf-8")
            parts.append(struct.pack(">H", len(raw)) + raw)
        return b"".join(parts)


@dataclass(frozen=True)
class Envelope:
    """A parsed envelope; ``ciphertext`` includes the trailing 16-byte tag."""

    format_version: int
    key_id: str
    key_version: int
    wrapped_key: bytes
    nonce: bytes
    ciphertext: bytes

    def to_bytes(self) -> bytes:
        """Serialise to the binary layout described in the module docstring."""
        key_id = self.key_id.encode("ascii")
        if not 1 <= len(key_id) <= MAX_KEY_ID_BYTES:
            raise ValueError(f"key id must be 1..{MAX_KEY_ID_BYTES} ASCII bytes")
        if len(self.wrapped_key) > 0xFFFF:
            raise ValueError("wrapped key longer than 65535 bytes")
        return b"".join(
            (
                MAGIC,
                bytes([self.format_version, len(key_id)]),
                key_id,
                struct.pack(">IH", self.key_version, len(self.wrapped_key)),
                self.wrapped_key,
                self.nonce,
                self.ciphertext,
            )
        )

    @classmethod
    def from_bytes(cls, blob: bytes) -> Envelope:
        """Parse a blob; raise EnvelopeFormatError naming what is wrong."""
        blob = bytes(blob)
        if len(blob) < 4 or blob[:2] != MAGIC:
            raise EnvelopeFormatError("not a vault envelope: the magic bytes are missing")
        version = blob[2]
        if version != FORMAT_VERSION:
            raise EnvelopeFormatError(f"unsupported envelope format version {version}")
        n = blob[3]
        if not 1 <= n <= MAX_KEY_ID_BYTES:
            raise EnvelopeFormatError(f"envelope key id length {n} is outside 1..{MAX_KEY_ID_BYTES}")
        offset = 4 + n
        if len(blob) < offset + 6:
            raise EnvelopeFormatError("envelope truncated inside its header")
        try:
            key_id = blob[4:offset].decode("ascii")
        except UnicodeDecodeError:
            raise EnvelopeFormatError("envelope key id is not ASCII") from None
        key_version, w = struct.unpack_from(">IH", blob, offset)
        offset += 6
        end_wrapped = offset + w
        if len(blob) < end_wrapped + aead.NONCE_BYTES + aead.TAG_BYTES:
            raise EnvelopeFormatError("envelope truncated: wrapped key, nonce or tag is incomplete")
        return cls(
            format_version=version,
            key_id=key_id,
            key_version=key_version,
            wrapped_key=blob[offset:end_wrapped],
            nonce=blob[end_wrapped : end_wrapped + aead.NONCE_BYTES],
            ciphertext=blob[end_wrapped + aead.NONCE_BYTES :],
        )


def seal(ring: KeyRing, plaintext: bytes, context: Context) -> bytes:
    """Encrypt ``plaintext`` under a fresh data key wrapped by the ring's primary version."""
    data_key = aead.new_key()
    nonce = aead.new_nonce()
    ciphertext = aead.gcm_seal(data_key, nonce, plaintext, context.encode())
    version, wrapped = ring.wrap(data_key)
    return Envelope(FORMAT_VERSION, ring.key_id, version, wrapped, nonce, ciphertext).to_bytes()


def open_(ring: KeyRing, blob: bytes, context: Context) -> bytes:
    """Decrypt an envelope sealed for ``context``; raise a VaultCryptoError subclass on any failure."""
    envelope = Envelope.from_bytes(blob)
    _check_key_id(ring, envelope)
    data_key = ring.unwrap(envelope.key_version, envelope.wrapped_key)
    associated_data = context.encode(envelope.format_version)
    return aead.gcm_open(data_key, envelope.nonce, envelope.ciphertext, associated_data)


def rewrap(ring: KeyRing, blob: bytes) -> bytes:
    """Re-wrap the data key under the primary version; the ciphertext is untouched and never decrypted.

    Returns the blob unchanged when it is already under the primary version.
    """
    envelope = Envelope.from_bytes(blob)
    _check_key_id(ring, envelope)
    if envelope.key_version == ring.primary:
        return bytes(blob)
    data_key = ring.unwrap(envelope.key_version, envelope.wrapped_key)
    version, wrapped = ring.wrap(data_key)
    return Envelope(
        envelope.format_version, ring.key_id, version, wrapped, envelope.nonce, envelope.ciphertext
    ).to_bytes()


def key_version_of(blob: bytes) -> tuple[str, int]:
    """The (key id, key version) named by an envelope's header."""
    envelope = Envelope.from_bytes(blob)
    return envelope.key_id, envelope.key_version


def _check_key_id(ring: KeyRing, envelope: Envelope) -> None:
    if envelope.key_id != ring.key_id:
        raise KeyUnavailableError(
            f"envelope was wrapped by key {envelope.key_id!r}, but this key ring holds {ring.key_id!r}"
        )
