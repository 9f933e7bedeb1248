"""API key format, generation and hashing (no database access here).

A key is ``tlk_<prefix>_<secret>``: 10 random base32 characters of prefix (the visible, stored
part) and 43 characters of URL-safe secret (256 bits). Keys are high-entropy random values, so a
single SHA-256 is the right hash: a slow hash would add latency to every request and no strength.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

KEY_PREFIX = "tlk"
_FORMAT = re.compile(r"^tlk_([a-z2-7]{10})_([A-Za-z0-9_-]{43})$")


@dataclass(frozen=True)
class NewKey:
    prefix: str
    secret: str  # the full key, shown once and never stored
    key_hash: str


class MalformedKey(ValueError):
    """The presented key does not have the ``tlk_<prefix>_<secret>`` shape."""


def generate_key() -> NewKey:
    prefix = base64.b32encode(secrets.token_bytes(10)).decode("ascii").lower()[:10]
    secret = secrets.token_urlsafe(32)
    full = f"{KEY_PREFIX}_{prefix}_{secret}"
    if not _FORMAT.match(full):  # token_urlsafe(32) is always 43 characters; keep the format honest
        return generate_key()
    return NewKey(prefix=prefix, secret=full, key_hash=hash_key(full))


def hash_key(full_key: str) -> str:
    return hashlib.sha256(full_key.encode("ascii")).hexdigest()


def split_key(full_key: str) -> str:
    """Return the prefix of a well-formed key, or raise MalformedKey."""
    match = _FORMAT.match(full_key)
    if not match:
        raise MalformedKey("API key is malformed")
    return match.group(1)


def hashes_match(full_key: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_key(full_key), stored_hash)
