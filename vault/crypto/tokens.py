"""Deterministic lookup tokens: HMAC-SHA256 over an identifier's type and normalised value.

``tok_v<version>_<52 base32 characters>``: the prefix makes tokens recognisable in logs and data,
the underscore and letters make a token invalid as any card number, IBAN, LEI or passport number,
and the version names the token key so that it can rotate. During a token-key rotation a lookup
computes one candidate token per usable version (primary first) and matches any of them
(dual lookup); stored rows are re-tokenised under the new primary in the background.
"""

from __future__ import annotations

import base64
import re
import struct

from vault.crypto.errors import VaultCryptoError
from vault.crypto.keys import KeyRing

PREFIX = "tok_"
_LABEL = b"tillit-token"
TOKEN_RE = re.compile(r"^tok_v(?P<version>[1-9][0-9]{0,8})_(?P<mac>[a-z2-7]{52})$")


class TokenFormatError(VaultCryptoError, ValueError):
    """The string is not a vault token."""


def _message(identifier_type: str, normalised: str) -> bytes:
    parts = [_LABEL]
    for value in (identifier_type, normalised):
        raw = value.encode("utf-8")
        parts.append(struct.pack(">I", len(raw)) + raw)
    return b"".join(parts)


def token_for(ring: KeyRing, identifier_type: str, normalised: str, *, version: int | None = None) -> str:
    """The token of a normalised identifier under ``version`` (default: the primary token key)."""
    if not identifier_type or not normalised:
        raise ValueError("a token needs an identifier type and a non-empty normalised value")
    version = ring.primary if version is None else version
    mac = ring.mac(version, _message(identifier_type, normalised))
    return f"{PREFIX}v{version}_{base64.b32encode(mac).decode('ascii').rstrip('=').lower()}"


def lookup_tokens(ring: KeyRing, identifier_type: str, normalised: str) -> list[str]:
    """Every token the identifier may be stored under right now: primary first, then active versions."""
    return [token_for(ring, identifier_type, normalised, version=v) for v in ring.usable]


def token_version(token: str) -> int:
    """The token-key version a token was computed with; raise TokenFormatError if it is no token."""
    match = TOKEN_RE.match(token)
    if match is None:
        raise TokenFormatError("not a vault token (expected tok_v<version>_<52 base32 characters>)")
    return int(match.group("version"))


def is_token(value: str) -> bool:
    """True when ``value`` has the shape of a vault token."""
    return TOKEN_RE.match(value) is not None
