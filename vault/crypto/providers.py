"""Where key-encryption keys and token keys live.

The vault never needs raw key material outside a provider: it asks the provider to wrap or unwrap a
data key and to compute an HMAC. :class:`KeyProvider` is the interface; :class:`LocalKeyProvider`
keeps keys in a JSON key file (created on first run in embedded mode, mode 0600) or reads them from
an environment variable.

A cloud KMS or HashiCorp Vault Transit backend implements the same five methods:

===================  ===================================  =====================================
method               HashiCorp Vault Transit              AWS KMS
===================  ===================================  =====================================
``versions``         ``GET transit/keys/<key>``           one KMS key (ARN) per version, listed
                     (``keys`` map: version numbers)      under an alias per version
``create_version``   ``POST transit/keys/<key>/rotate``   ``CreateKey`` + alias ``<key>-v<n>``
``wrap``             ``POST transit/encrypt/<key>``       ``Encrypt`` with the version's key
                     with ``key_version``
``unwrap``           ``POST transit/decrypt/<key>``       ``Decrypt``
``mac``              ``POST transit/hmac/<key>/sha2-256``  ``GenerateMac`` (``HMAC_SHA_256``)
                     with ``key_version``
===================  ===================================  =====================================

Wrapped keys are opaque bytes to the vault (the envelope stores up to 65535 bytes), so a provider
may return its own ciphertext format, such as Transit's ``vault:v3:...`` string encoded as UTF-8.
Providers raise :class:`~vault.crypto.errors.KeyUnavailableError` for an unknown version,
:class:`~vault.crypto.errors.KeyUnwrapError` when unwrapping fails and
:class:`~vault.crypto.errors.KeyProviderError` for anything else.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import fcntl
import hashlib
import hmac
import json
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

from vault.crypto import aead
from vault.crypto.errors import KeyProviderError, KeyUnavailableError

KEY_FILE_FORMAT = "tillit-vault-keys/1"
DEFAULT_KEY_IDS = ("kek", "token")


@runtime_checkable
class KeyProvider(Protocol):
    """Holds key material; the vault only ever asks it to wrap, unwrap and MAC."""

    def versions(self, key_id: str) -> Sequence[int]:
        """The version numbers that exist for ``key_id`` (ascending)."""
        ...

    def create_version(self, key_id: str) -> int:
        """Create new key material for ``key_id`` and return its version number."""
        ...

    def wrap(self, key_id: str, version: int, data_key: bytes) -> bytes:
        """Encrypt a 32-byte data key under the given version."""
        ...

    def unwrap(self, key_id: str, version: int, wrapped: bytes) -> bytes:
        """Decrypt a wrapped data key; raise KeyUnwrapError if it fails its integrity check."""
        ...

    def mac(self, key_id: str, version: int, message: bytes) -> bytes:
        """HMAC-SHA256 of ``message`` under the given version (32 bytes)."""
        ...


def _encode_keys(keys: Mapping[str, Mapping[int, bytes]]) -> str:
    body = {
        "format": KEY_FILE_FORMAT,
        "keys": {
            key_id: {str(v): base64.b64encode(material).decode("ascii") for v, material in sorted(vs.items())}
            for key_id, vs in sorted(keys.items())
        },
    }
    return json.dumps(body, indent=2) + "\n"


def _decode_keys(text: str, *, source: str) -> dict[str, dict[int, bytes]]:
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise KeyProviderError(f"{source}: not valid JSON (line {exc.lineno})") from None
    if not isinstance(body, dict) or body.get("format") != KEY_FILE_FORMAT:
        raise KeyProviderError(f"{source}: expected a JSON object with format {KEY_FILE_FORMAT!r}")
    keys: dict[str, dict[int, bytes]] = {}
    raw_keys = body.get("keys")
    if not isinstance(raw_keys, dict):
        raise KeyProviderError(f"{source}: 'keys' must be an object of key ids")
    for key_id, versions in raw_keys.items():
        if not isinstance(versions, dict):
            raise KeyProviderError(f"{source}: key {key_id!r} must map version numbers to keys")
        keys[key_id] = {}
        for version, encoded in versions.items():
            try:
                number = int(version)
                material = base64.b64decode(encoded, validate=True)
            except (ValueError, TypeError, binascii.Error):
                raise KeyProviderError(f"{source}: key {key_id!r} version {version!r} is malformed") from None
            if number < 1 or len(material) != aead.KEY_BYTES:
                raise KeyProviderError(
                    f"{source}: key {key_id!r} version {version} must be a positive number "
                    f"with {aead.KEY_BYTES} bytes of base64 key material"
                )
            keys[key_id][number] = material
    return keys


class LocalKeyProvider:
    """Keys held in this process, loaded from a key file or an environment variable.

    Suitable for embedded mode and small single-host deployments. The key file must be readable by
    its owner only (0600); it is created with those permissions and is never committed (``data/`` is
    git-ignored). Keys from the environment are read-only: add versions by changing the variable.
    """

    def __init__(self, keys: Mapping[str, Mapping[int, bytes]], *, path: Path | None = None) -> None:
        self._keys: dict[str, dict[int, bytes]] = {k: dict(v) for k, v in keys.items()}
        self._path = path

    # -- construction ---------------------------------------------------------------------------

    @classmethod
    def generate(cls, key_ids: Iterable[str] = DEFAULT_KEY_IDS) -> LocalKeyProvider:
        """An in-memory provider with one fresh version per key id (tests and benchmarks)."""
        return cls({key_id: {1: aead.new_key()} for key_id in key_ids})

    @classmethod
    def from_env(cls, value: str, *, name: str = "TILLIT_VAULT_KEYS") -> LocalKeyProvider:
        """Keys from an environment variable holding the key-file JSON."""
        return cls(_decode_keys(value, source=f"environment variable {name}"))

    @classmethod
    def from_file(
        cls, path: Path | str, *, create: bool = False, key_ids: Iterable[str] = DEFAULT_KEY_IDS
    ) -> LocalKeyProvider:
        """Keys from a 0600 key file; with ``create`` (embedded mode) a missing file is generated."""
        path = Path(path)
        with _locked(path):
            if not path.exists():
                if not create:
                    raise KeyProviderError(
                        f"vault key file {path} does not exist; set TILLIT_VAULT_KEY_FILE or "
                        "TILLIT_VAULT_KEYS, or run in embedded mode to generate one"
                    )
                _write_private(path, _encode_keys({key_id: {1: aead.new_key()} for key_id in key_ids}))
            provider = cls(_read_private(path), path=path)
        return provider

    # -- KeyProvider ----------------------------------------------------------------------------

    def versions(self, key_id: str) -> list[int]:
        return sorted(self._keys.get(key_id, {}))

    def create_version(self, key_id: str) -> int:
        if self._path is None:
            raise KeyProviderError(
                "keys from the environment or memory are read-only here; add the new version to "
                "TILLIT_VAULT_KEYS (or use a key file) and deploy it before rotating"
            )
        with _locked(self._path):
            # Re-read under the lock: another process may have added a version meanwhile.
            keys = _read_private(self._path)
            version = max(keys.get(key_id, {}), default=0) + 1
            keys.setdefault(key_id, {})[version] = aead.new_key()
            _write_private(self._path, _encode_keys(keys))
            self._keys = keys
        return version

    def wrap(self, key_id: str, version: int, data_key: bytes) -> bytes:
        return aead.key_wrap(self._material(key_id, version), data_key)

    def unwrap(self, key_id: str, version: int, wrapped: bytes) -> bytes:
        return aead.key_unwrap(self._material(key_id, version), wrapped)

    def mac(self, key_id: str, version: int, message: bytes) -> bytes:
        return hmac.new(self._material(key_id, version), message, hashlib.sha256).digest()

    # -- internals ------------------------------------------------------------------------------

    def _material(self, key_id: str, version: int) -> bytes:
        material = self._keys.get(key_id, {}).get(version)
        if material is None and self._path is not None:
            # Another process may have created the version since we loaded the file.
            with _locked(self._path):
                self._keys = _read_private(self._path)
            material = self._keys.get(key_id, {}).get(version)
        if material is None:
            raise KeyUnavailableError(f"the key provider has no material for key {key_id!r} version {version}")
        return material


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    lock_path = path.with_name(path.name + ".lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _read_private(path: Path) -> dict[str, dict[int, bytes]]:
    try:
        info = path.stat()
    except FileNotFoundError:
        raise KeyProviderError(f"vault key file {path} does not exist") from None
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyProviderError(
            f"vault key file {path} is readable by group or others (mode {stat.S_IMODE(info.st_mode):o}); "
            f"run: chmod 600 {path}"
        )
    return _decode_keys(path.read_text(encoding="ascii"), source=f"vault key file {path}")


def _write_private(path: Path, text: str) -> None:
    """Write atomically with mode 0600: a crash leaves either the old or the new file, never half."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
