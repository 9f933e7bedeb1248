"""Ed25519 keys and the signed checkpoint text (a C2SP tlog-checkpoint style note body).

The signing key comes from ``TILLIT_AUDIT_SIGNING_KEY`` (base64 of the 32-byte private
seed) or from the PEM file ``TILLIT_AUDIT_SIGNING_KEY_FILE`` (default
``<data dir>/keys/audit_ed25519.pem``), which embedded mode generates on first use with
mode 0600. Keys are never committed. Public keys of retired signing keys stay trusted
through ``TILLIT_AUDIT_TRUSTED_PUBLIC_KEYS`` (a list of base64 raw public keys).
"""

from __future__ import annotations

import base64
import hashlib
import os
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

from audit.chain import format_time

DEFAULT_ORIGIN = "tillit.audit.log/v1"


class SigningError(RuntimeError):
    """The audit signing key is missing or unusable, or a signature does not verify."""


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def raw_public_key(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public_raw: bytes) -> str:
    """First 8 bytes of SHA-256 of the raw public key, as hex: a short name for the key."""
    return hashlib.sha256(public_raw).hexdigest()[:16]


def key_file_path() -> Path:
    configured = getattr(settings, "TILLIT_AUDIT_SIGNING_KEY_FILE", "")
    if configured:
        return Path(configured)
    data_dir = Path(getattr(settings, "TILLIT_DATA_DIR", Path.cwd() / "data"))
    return data_dir / "keys" / "audit_ed25519.pem"


def _generate_key_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process generated it first
        return
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)


def signing_key() -> Ed25519PrivateKey:
    """The private key that signs checkpoints (from the environment, or a local key file)."""
    seed = getattr(settings, "TILLIT_AUDIT_SIGNING_KEY", "")
    if seed:
        try:
            raw = base64.b64decode(seed, validate=True)
            return Ed25519PrivateKey.from_private_bytes(raw)
        except ValueError as exc:
            raise SigningError("TILLIT_AUDIT_SIGNING_KEY must be the base64 of a 32-byte Ed25519 seed") from exc
    path = key_file_path()
    if not path.exists():
        if not getattr(settings, "TILLIT_AUDIT_GENERATE_SIGNING_KEY", True):
            raise SigningError(f"audit signing key file {path} does not exist")
        _generate_key_file(path)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningError(f"{path} does not hold an Ed25519 private key")
    return key


def trusted_public_keys() -> dict[str, bytes]:
    """key id -> raw public key, for the current signing key and every retired one still trusted."""
    keys = {}
    for value in getattr(settings, "TILLIT_AUDIT_TRUSTED_PUBLIC_KEYS", []) or []:
        raw = base64.b64decode(value)
        keys[key_id(raw)] = raw
    current = raw_public_key(signing_key().public_key())
    keys[key_id(current)] = current
    return keys


def origin() -> str:
    return getattr(settings, "TILLIT_AUDIT_LOG_ORIGIN", "") or DEFAULT_ORIGIN


def checkpoint_body(*, log_origin: str, tree_size: int, root: bytes, issued_at: datetime) -> str:
    """The exact signed text: origin, size, base64 root, timestamp, each on its own line."""
    return f"{log_origin}\n{tree_size}\n{b64(root)}\n{format_time(issued_at)}\n"


def sign(body: str, key: Ed25519PrivateKey) -> str:
    """Base64 Ed25519 signature over the UTF-8 body."""
    return b64(key.sign(body.encode("utf-8")))


def verify_signature(*, public_key_b64: str, body: str, signature_b64: str) -> None:
    """SigningError unless ``signature_b64`` is a valid signature of ``body`` by the key."""
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64))
        public.verify(base64.b64decode(signature_b64), body.encode("utf-8"))
    except (InvalidSignature, ValueError) as exc:
        raise SigningError("checkpoint signature does not verify") from exc
