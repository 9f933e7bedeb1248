"""The machine a vault benchmark ran on: the shared description plus the crypto library versions."""

from __future__ import annotations

from benchmarks.machine import machine as base_machine


def machine() -> dict[str, str]:
    import cryptography
    from cryptography.hazmat.backends.openssl.backend import backend

    return {**base_machine(), "cryptography": cryptography.__version__, "openssl": backend.openssl_version_text()}


def print_machine() -> None:
    for key, value in machine().items():
        print(f"  {key:<13} {value}")
