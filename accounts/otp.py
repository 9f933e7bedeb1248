"""One-time passwords without Django: TOTP seeds, codes per time step, drift matching, recovery codes, QR.

The RFC algorithms (RFC 4226 HOTP, RFC 6238 TOTP) come from pyotp; this module adds what a
verifier needs around them: the *step* a code belongs to (so that a used step, and every earlier
one, can be refused), a bounded drift window, constant-time comparison, and the provisioning URI
and QR code an authenticator app scans. Nothing here stores or logs a seed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyotp
import segno

STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1  # one step either side: a code is good for at most 90 seconds
SEED_BYTES = 20  # 160 bits, the HMAC-SHA1 block-friendly size recommended by RFC 4226 section 4
ISSUER = "Tillit"

RECOVERY_CODE_COUNT = 10
# Crockford-like alphabet without 0/O, 1/I/L: 31 symbols. A code is 15 of them: the first
# RECOVERY_LOOKUP_LENGTH pick the stored row (so one Argon2 verification, not ten, per attempt) and
# are stored in clear; the other 12 carry 59 bits of secret.
_RECOVERY_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RECOVERY_LOOKUP_LENGTH = 3
_RECOVERY_LENGTH = 15

_DIGESTS: dict[str, Callable[..., Any]] = {"SHA1": hashlib.sha1, "SHA256": hashlib.sha256, "SHA512": hashlib.sha512}


def new_seed() -> bytes:
    """A fresh TOTP seed from the operating system's CSPRNG."""
    return secrets.token_bytes(SEED_BYTES)


def seed_to_base32(seed: bytes) -> str:
    """The seed as authenticator apps take it: base32 without padding."""
    return base64.b32encode(seed).decode("ascii").rstrip("=")


def step_at(unix_time: float, *, step_seconds: int = STEP_SECONDS, t0: int = 0) -> int:
    """The RFC 6238 time step counter T = floor((time - T0) / X)."""
    return int((unix_time - t0) // step_seconds)


def code_for_step(seed: bytes, step: int, *, digits: int = DIGITS, algorithm: str = "SHA1") -> str:
    """The HOTP value of ``seed`` at counter ``step`` (RFC 4226), zero-padded to ``digits``."""
    hotp = pyotp.HOTP(seed_to_base32(seed), digits=digits, digest=_DIGESTS[algorithm])
    return hotp.generate_otp(step)


def normalise_code(code: str, *, digits: int = DIGITS) -> str | None:
    """Strip the spaces and dashes people type; None unless exactly ``digits`` ASCII digits remain."""
    cleaned = "".join(code.split()).replace("-", "")
    if len(cleaned) != digits or not cleaned.isascii() or not cleaned.isdigit():
        return None
    return cleaned


@dataclass(frozen=True)
class Match:
    """Which steps of the drift window a presented code matched (most recent first)."""

    steps: tuple[int, ...]

    def newest_after(self, last_used_step: int | None) -> int | None:
        """The newest matched step strictly after ``last_used_step``; None if all were used already."""
        for step in self.steps:
            if last_used_step is None or step > last_used_step:
                return step
        return None


def match_code(
    seed: bytes,
    code: str,
    *,
    unix_time: float,
    drift: int = DRIFT_STEPS,
    digits: int = DIGITS,
    algorithm: str = "SHA1",
) -> Match:
    """Compare ``code`` with every step in [now - drift, now + drift] in constant time per step."""
    current = step_at(unix_time)
    matched = []
    for step in range(current + drift, current - drift - 1, -1):
        if step < 0:
            continue
        expected = code_for_step(seed, step, digits=digits, algorithm=algorithm)
        if hmac.compare_digest(expected.encode("ascii"), code.encode("ascii")):
            matched.append(step)
    return Match(steps=tuple(matched))


def provisioning_uri(seed: bytes, *, account: str, issuer: str = ISSUER) -> str:
    """The ``otpauth://totp/...`` URI an authenticator app imports (holds the seed: show once)."""
    return pyotp.TOTP(seed_to_base32(seed), digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=account, issuer_name=issuer
    )


def qr_svg(uri: str) -> str:
    """An inline SVG QR code of ``uri`` (medium error correction), for a page shown once."""
    return segno.make(uri, error="m", micro=False).svg_inline(scale=4, border=2)


def new_recovery_codes(count: int = RECOVERY_CODE_COUNT) -> list[str]:
    """``count`` recovery codes shaped ``XXXXX-XXXXX-XXXXX`` with distinct lookup prefixes (59 secret bits each)."""
    codes: dict[str, str] = {}
    while len(codes) < count:
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        codes.setdefault(raw[:RECOVERY_LOOKUP_LENGTH], "-".join(raw[i : i + 5] for i in range(0, _RECOVERY_LENGTH, 5)))
    return sorted(codes.values())


def recovery_lookup(normalised: str) -> str:
    """The stored, non-secret prefix of a normalised recovery code."""
    return normalised[:RECOVERY_LOOKUP_LENGTH]


def normalise_recovery_code(code: str) -> str | None:
    """Upper-case, drop spaces and dashes; None unless it has the recovery-code shape."""
    cleaned = "".join(code.split()).replace("-", "").upper()
    if len(cleaned) != _RECOVERY_LENGTH or any(ch not in _RECOVERY_ALPHABET for ch in cleaned):
        return None
    return cleaned
