"""A key provider backed by HashiCorp Vault's Transit secrets engine (stdlib HTTP, no extra package).

Transit holds the key-encryption and token keys; they never leave it. The vault asks Transit to wrap
and unwrap data keys (``encrypt``/``decrypt`` with an explicit ``key_version``) and to compute
HMAC-SHA256 tokens (``hmac/<key>/sha2-256``). Key ids map to Transit key names (default
``tillit-kek`` and ``tillit-token``); ``create_version`` is Transit's ``rotate``. Wrapped keys are
Transit's ``vault:v<N>:<base64>`` strings, stored as UTF-8 in the envelope.

Retiring a version here only stops Tillit using it; to make Transit refuse it as well, raise the
key's ``min_decryption_version`` once ``vault_rotate --retire`` has succeeded.
"""

from __future__ import annotations

import base64
import json
import ssl
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from vault.crypto.errors import KeyProviderError, KeyUnavailableError, KeyUnwrapError

DEFAULT_KEY_NAMES = {"kek": "tillit-kek", "token": "tillit-token"}


class TransitKeyProvider:
    """``KeyProvider`` over the Transit HTTP API (``/v1/<mount>/...``) with a Vault token."""

    def __init__(
        self,
        *,
        address: str,
        token: str,
        mount: str = "transit",
        key_names: Mapping[str, str] | None = None,
        namespace: str | None = None,
        ca_file: str | None = None,
        timeout: float = 5.0,
    ) -> None:
        if not address.startswith(("https://", "http://")):
            raise KeyProviderError("the Transit address must be an http(s) URL")
        if not token:
            raise KeyProviderError("a Vault token is needed for Transit")
        self._address = address.rstrip("/")
        self._token = token
        self._mount = mount.strip("/")
        self._names = dict(key_names or DEFAULT_KEY_NAMES)
        self._namespace = namespace
        self._timeout = timeout
        self._context = ssl.create_default_context(cafile=ca_file) if address.startswith("https://") else None

    def __repr__(self) -> str:  # never show the token
        return f"TransitKeyProvider(address={self._address!r}, mount={self._mount!r})"

    # -- KeyProvider ----------------------------------------------------------------------------

    def versions(self, key_id: str) -> list[int]:
        data = self._call("GET", f"keys/{self._name(key_id)}", None, key_id=key_id)
        return sorted(int(v) for v in data.get("keys", {}))

    def create_version(self, key_id: str) -> int:
        self._call("POST", f"keys/{self._name(key_id)}/rotate", {}, key_id=key_id)
        return int(self._call("GET", f"keys/{self._name(key_id)}", None, key_id=key_id)["latest_version"])

    def wrap(self, key_id: str, version: int, data_key: bytes) -> bytes:
        body = {"plaintext": base64.b64encode(data_key).decode("ascii"), "key_version": version}
        data = self._call("POST", f"encrypt/{self._name(key_id)}", body, key_id=key_id, version=version)
        return str(data["ciphertext"]).encode("utf-8")

    def unwrap(self, key_id: str, version: int, wrapped: bytes) -> bytes:
        try:
            ciphertext = wrapped.decode("ascii")
        except UnicodeDecodeError:
            raise KeyUnwrapError("the wrapped data key is not a Transit ciphertext") from None
        if not ciphertext.startswith(f"vault:v{version}:"):
            raise KeyUnwrapError(f"the wrapped data key was not made by {key_id!r} version {version}")
        data = self._call(
            "POST", f"decrypt/{self._name(key_id)}", {"ciphertext": ciphertext}, key_id=key_id, unwrap=True
        )
        return base64.b64decode(data["plaintext"])

    def mac(self, key_id: str, version: int, message: bytes) -> bytes:
        body = {"input": base64.b64encode(message).decode("ascii"), "key_version": version}
        data = self._call("POST", f"hmac/{self._name(key_id)}/sha2-256", body, key_id=key_id, version=version)
        prefix, _, encoded = str(data["hmac"]).rpartition(":")
        if prefix != f"vault:v{version}":
            raise KeyProviderError(f"Transit answered an HMAC for another version than {version}")
        return base64.b64decode(encoded)

    # -- HTTP -----------------------------------------------------------------------------------

    def _name(self, key_id: str) -> str:
        name = self._names.get(key_id)
        if name is None:
            raise KeyUnavailableError(f"no Transit key is configured for key id {key_id!r}")
        return quote(name, safe="")

    def _call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None,
        *,
        key_id: str,
        version: int | None = None,
        unwrap: bool = False,
    ) -> dict[str, Any]:
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __init__
            f"{self._address}/v1/{self._mount}/{path}",
            data=None if body is None else json.dumps(body).encode(),
            method=method,
            headers={"X-Vault-Token": self._token, "Content-Type": "application/json"},
        )
        if self._namespace:
            request.add_header("X-Vault-Namespace", self._namespace)
        try:
            with urllib.request.urlopen(request, timeout=self._timeout, context=self._context) as response:  # noqa: S310
                payload = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            # Transit's error texts name the problem, never the plaintext; keep only the status here.
            if unwrap and exc.code == 400:
                raise KeyUnwrapError(f"Transit refused to unwrap the data key of {key_id!r}") from None
            if exc.code == 404 or (version is not None and exc.code == 400):
                raise KeyUnavailableError(
                    f"Transit has no usable key {key_id!r}" + (f" version {version}" if version else "")
                ) from None
            raise KeyProviderError(f"Transit answered HTTP {exc.code} for {method} {path}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise KeyProviderError(f"Transit is unreachable ({type(exc).__name__})") from None
        data = payload.get("data") if isinstance(payload, dict) else None
        if not isinstance(data, dict):
            if method == "POST" and path.endswith("/rotate"):
                return {}
            raise KeyProviderError(f"Transit answered without data for {method} {path}")
        return data
