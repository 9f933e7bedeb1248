"""Vault crypto-layer throughput: seal, open, token, and re-wrap of N stored values (default 1,000,000).

    .venv/bin/python -m benchmarks.vault.crypto [--values 1000000] [--seconds 3] [--size 24]

Single process, single thread, local key provider (keys in memory). Seal = fresh data key + nonce,
AES-256-GCM, AES key wrap; open = unwrap + GCM decrypt; re-wrap = unwrap under the old KEK + wrap
under the new one (the ciphertext is copied, never decrypted).
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable

from benchmarks.vault.machine import print_machine
from vault.crypto import Context, KeyRing, KeyState, LocalKeyProvider, aead, open_, rewrap, seal, token_for


def _rate(label: str, op: Callable[[int], object], seconds: float) -> float:
    n, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for i in range(1000):
            op(n + i)
        n += 1000
    rate = n / elapsed
    print(f"  {label:<34} {rate:>12,.0f} ops/s  ({1e6 / rate:6.1f} µs/op, {n:,} ops)")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--values", type=int, default=1_000_000, help="values to re-wrap")
    parser.add_argument("--seconds", type=float, default=3.0, help="duration of each ops/s measurement")
    parser.add_argument("--size", type=int, default=24, help="plaintext bytes per value")
    args = parser.parse_args()

    provider = LocalKeyProvider({"kek": {1: aead.new_key(), 2: aead.new_key()}, "token": {1: aead.new_key()}})
    old = KeyRing(provider, "kek", {1: KeyState.PRIMARY, 2: KeyState.ACTIVE})
    new = KeyRing(provider, "kek", {1: KeyState.ACTIVE, 2: KeyState.PRIMARY})
    tokens = KeyRing(provider, "token", {1: KeyState.PRIMARY})
    plaintext = os.urandom(args.size)
    where = Context(table="vault_storedidentifier", record_id="0b8f2d1e-5c4a-4e7b-9a10-2f3c4d5e6f70", field="value")
    blob = seal(old, plaintext, where)

    print("vault crypto benchmark")
    print_machine()
    print(f"  plaintext     {args.size} bytes; envelope {len(blob)} bytes")
    _rate("seal (encrypt)", lambda i: seal(old, plaintext, where), args.seconds)
    _rate("open (decrypt)", lambda i: open_(old, blob, where), args.seconds)
    _rate("token (HMAC-SHA256)", lambda i: token_for(tokens, "iban", f"GB82WEST1234569876{i:04d}"), args.seconds)
    _rate("rewrap (one value)", lambda i: rewrap(new, blob), args.seconds)

    print(f"  re-wrap of {args.values:,} sealed values (in memory):")
    start = time.perf_counter()
    blobs = [seal(old, plaintext, where) for _ in range(args.values)]
    sealed_s = time.perf_counter() - start
    start = time.perf_counter()
    moved = [rewrap(new, b) for b in blobs]
    rewrap_s = time.perf_counter() - start
    assert open_(new, moved[-1], where) == plaintext
    print(f"    sealing them took          {sealed_s:8.2f} s ({args.values / sealed_s:,.0f} values/s)")
    print(f"    re-wrapping them took      {rewrap_s:8.2f} s ({args.values / rewrap_s:,.0f} values/s)")


if __name__ == "__main__":
    main()
