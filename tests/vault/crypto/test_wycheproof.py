"""The vault's primitives against Project Wycheproof vectors (../shared/vectors/wycheproof)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.shared import shared_path
from vault.crypto import aead
from vault.crypto.errors import AuthenticationError, KeyUnwrapError
from vault.crypto.keys import KeyRing, KeyState
from vault.crypto.providers import LocalKeyProvider

pytestmark = pytest.mark.shared


def _cases(name: str, keep: Any) -> list[Any]:
    path = shared_path("vectors", "wycheproof", "testvectors_v1", name)
    data = json.loads(path.read_text())
    return [
        pytest.param(group, case, id=f"tc{case['tcId']}")
        for group in data["testGroups"]
        if keep(group)
        for case in group["tests"]
    ]


def _gcm_256_96(group: dict[str, Any]) -> bool:
    return group["keySize"] == 256 and group["ivSize"] == 96 and group["tagSize"] == 128


def test_the_aes_gcm_vectors_cover_256_bit_keys_with_96_bit_nonces() -> None:
    cases = _cases("aes_gcm_test.json", _gcm_256_96)
    results = {case.values[1]["result"] for case in cases}
    assert len(cases) >= 50
    assert results == {"valid", "invalid"}


@pytest.mark.parametrize(("group", "case"), _cases("aes_gcm_test.json", _gcm_256_96))
def test_aes_gcm_256_round_trips_or_fails_as_labelled(group: dict[str, Any], case: dict[str, Any]) -> None:
    key, nonce = bytes.fromhex(case["key"]), bytes.fromhex(case["iv"])
    aad, msg = bytes.fromhex(case["aad"]), bytes.fromhex(case["msg"])
    sealed = bytes.fromhex(case["ct"]) + bytes.fromhex(case["tag"])
    if case["result"] == "valid":
        assert aead.gcm_seal(key, nonce, msg, aad) == sealed
        assert aead.gcm_open(key, nonce, sealed, aad) == msg
    else:
        assert case["result"] == "invalid"
        with pytest.raises(AuthenticationError, match="authentication failed"):
            aead.gcm_open(key, nonce, sealed, aad)


@pytest.mark.parametrize(("group", "case"), _cases("aes_wrap_test.json", lambda g: g["keySize"] == 256))
def test_aes_key_wrap_256_unwraps_or_fails_as_labelled(group: dict[str, Any], case: dict[str, Any]) -> None:
    kek, msg, wrapped = bytes.fromhex(case["key"]), bytes.fromhex(case["msg"]), bytes.fromhex(case["ct"])
    if case["result"] == "valid":
        assert aead.key_wrap(kek, msg) == wrapped
        assert aead.key_unwrap(kek, wrapped) == msg
    else:
        # 'acceptable' cases (8-byte keys) are rejected too: a data key is always 32 bytes.
        with pytest.raises(KeyUnwrapError, match="integrity check"):
            aead.key_unwrap(kek, wrapped)


@pytest.mark.parametrize(
    ("group", "case"), _cases("hmac_sha256_test.json", lambda g: g["tagSize"] == 256 and g["keySize"] == 256)
)
def test_token_hmac_matches_hmac_sha256_vectors(group: dict[str, Any], case: dict[str, Any]) -> None:
    key, msg, tag = bytes.fromhex(case["key"]), bytes.fromhex(case["msg"]), bytes.fromhex(case["tag"])
    ring = KeyRing(LocalKeyProvider({"token": {1: key}}), "token", {1: KeyState.PRIMARY})
    computed = ring.mac(1, msg)
    assert (computed == tag) is (case["result"] == "valid")


@pytest.mark.parametrize(
    ("group", "case"),
    _cases("hmac_sha256_test.json", lambda g: g["tagSize"] == 128 and g["keySize"] == 256),
)
def test_truncated_hmac_sha256_vectors_match_the_mac_prefix_only_when_valid(
    group: dict[str, Any], case: dict[str, Any]
) -> None:
    key, msg, tag = bytes.fromhex(case["key"]), bytes.fromhex(case["msg"]), bytes.fromhex(case["tag"])
    ring = KeyRing(LocalKeyProvider({"token": {1: key}}), "token", {1: KeyState.PRIMARY})
    assert (ring.mac(1, msg)[: len(tag)] == tag) is (case["result"] == "valid")
