"""A small in-process stand-in for HashiCorp Vault's Transit API (the network boundary of the provider).

It implements just what TransitKeyProvider calls, with real cryptography: AES-256-GCM for
encrypt/decrypt (``vault:v<N>:base64(nonce + ciphertext)``), HMAC-SHA256 per key version, rotate,
and key metadata; requests without the right X-Vault-Token get 403 like Vault.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

TOKEN = "s.test-token"


class FakeTransit:
    def __init__(self) -> None:
        self.keys: dict[str, dict[int, bytes]] = {}
        self.requests: list[tuple[str, str]] = []

    def handle(self, method: str, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        parts = path.strip("/").split("/")  # v1, transit, op, name[, extra]
        if len(parts) < 4 or parts[:2] != ["v1", "transit"]:
            return 404, {"errors": ["no handler"]}
        op, name = parts[2], parts[3]
        if op == "keys" and method == "POST" and parts[4:] == ["rotate"]:
            versions = self.keys.setdefault(name, {})
            versions[max(versions, default=0) + 1] = os.urandom(32)
            return 204, {}
        versions = self.keys.get(name)
        if versions is None:
            return 404, {"errors": [f"key {name} not found"]}
        if op == "keys" and method == "GET":
            return 200, {"data": {"keys": {str(v): 0 for v in versions}, "latest_version": max(versions)}}
        if op == "encrypt":
            version = int(body.get("key_version") or max(versions))
            if version not in versions:
                return 400, {"errors": ["requested version for encryption is higher than the latest"]}
            nonce = os.urandom(12)
            sealed = AESGCM(versions[version]).encrypt(nonce, base64.b64decode(body["plaintext"]), None)
            return 200, {"data": {"ciphertext": f"vault:v{version}:" + base64.b64encode(nonce + sealed).decode()}}
        if op == "decrypt":
            _, tag, encoded = str(body["ciphertext"]).split(":", 2)
            version = int(tag[1:])
            try:
                raw = base64.b64decode(encoded)
                plain = AESGCM(versions[version]).decrypt(raw[:12], raw[12:], None)
            except (KeyError, InvalidTag, ValueError):
                return 400, {"errors": ["cipher: message authentication failed"]}
            return 200, {"data": {"plaintext": base64.b64encode(plain).decode()}}
        if op == "hmac":
            version = int(body.get("key_version") or max(versions))
            if version not in versions:
                return 400, {"errors": ["invalid key version"]}
            mac = hmac.new(versions[version], base64.b64decode(body["input"]), hashlib.sha256).digest()
            return 200, {"data": {"hmac": f"vault:v{version}:" + base64.b64encode(mac).decode()}}
        return 404, {"errors": ["no handler"]}


@contextmanager
def running_transit() -> Iterator[tuple[str, FakeTransit]]:
    """Serve a FakeTransit on 127.0.0.1 (random port); yields (address, fake)."""
    fake = FakeTransit()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            fake.requests.append((self.command, self.path))
            if self.headers.get("X-Vault-Token") != TOKEN:
                status, payload = 403, {"errors": ["permission denied"]}
            else:
                status, payload = fake.handle(self.command, self.path, body)
            data = json.dumps(payload).encode() if status != 204 else b""
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _serve

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", fake
    finally:
        server.shutdown()
        server.server_close()
