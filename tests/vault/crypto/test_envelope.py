"""Envelope encryption: round trips, context binding, tampering and the binary header."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vault.crypto import (
    AuthenticationError,
    Context,
    Envelope,
    EnvelopeFormatError,
    KeyRing,
    KeyState,
    KeyUnavailableError,
    KeyUnwrapError,
    LocalKeyProvider,
    VaultCryptoError,
    aead,
    key_version_of,
    open_,
    rewrap,
    seal,
)
from vault.crypto.envelope import FORMAT_VERSION, MAGIC

RECORD = "4f1c2a9e-0000-4000-8000-000000000001"
WHERE = Context(table="vault_storedidentifier", record_id=RECORD, field="value")
SECRET = b"L898902C3"


@pytest.fixture(scope="module")
def provider() -> LocalKeyProvider:
    return LocalKeyProvider({"kek": {1: aead.new_key(), 2: aead.new_key()}})


@pytest.fixture(scope="module")
def ring(provider: LocalKeyProvider) -> KeyRing:
    return KeyRing(provider, "kek", {1: KeyState.PRIMARY, 2: KeyState.ACTIVE})


def test_a_sealed_value_opens_with_the_same_context(ring: KeyRing) -> None:
    assert open_(ring, seal(ring, SECRET, WHERE), WHERE) == SECRET


@settings(max_examples=150, deadline=None)
@given(
    plaintext=st.binary(max_size=2048),
    table=st.text(min_size=1, max_size=40),
    record_id=st.text(min_size=1, max_size=40),
    field=st.text(min_size=1, max_size=40),
)
def test_any_value_and_context_round_trip(
    ring: KeyRing, plaintext: bytes, table: str, record_id: str, field: str
) -> None:
    where = Context(table=table, record_id=record_id, field=field)
    assert open_(ring, seal(ring, plaintext, where), where) == plaintext


def test_sealing_twice_gives_different_data_keys_nonces_and_ciphertexts(ring: KeyRing) -> None:
    first = Envelope.from_bytes(seal(ring, SECRET, WHERE))
    second = Envelope.from_bytes(seal(ring, SECRET, WHERE))
    assert first.wrapped_key != second.wrapped_key
    assert first.nonce != second.nonce
    assert first.ciphertext != second.ciphertext


def test_the_header_names_format_key_id_and_primary_key_version(ring: KeyRing) -> None:
    blob = seal(ring, SECRET, WHERE)
    envelope = Envelope.from_bytes(blob)
    assert blob[:2] == MAGIC
    assert (envelope.format_version, envelope.key_id, envelope.key_version) == (FORMAT_VERSION, "kek", 1)
    assert len(envelope.wrapped_key) == 40
    assert len(envelope.nonce) == 12
    assert len(envelope.ciphertext) == len(SECRET) + 16
    assert key_version_of(blob) == ("kek", 1)
    assert envelope.to_bytes() == blob


def test_the_plaintext_does_not_appear_in_the_envelope(ring: KeyRing) -> None:
    assert SECRET not in seal(ring, SECRET, WHERE)


@pytest.mark.parametrize(
    "other",
    [
        Context(table="kyc_document", record_id=WHERE.record_id, field="value"),
        Context(table=WHERE.table, record_id="4f1c2a9e-0000-4000-8000-000000000002", field="value"),
        Context(table=WHERE.table, record_id=WHERE.record_id, field="masked"),
    ],
    ids=["other table", "other record", "other field"],
)
def test_a_ciphertext_copied_to_another_place_does_not_decrypt(ring: KeyRing, other: Context) -> None:
    with pytest.raises(AuthenticationError, match="associated data"):
        open_(ring, seal(ring, SECRET, WHERE), other)


def test_context_parts_cannot_be_shifted_between_fields(ring: KeyRing) -> None:
    a = Context(table="ab", record_id="c", field="d")
    b = Context(table="a", record_id="bc", field="d")
    assert a.encode() != b.encode()
    with pytest.raises(AuthenticationError):
        open_(ring, seal(ring, SECRET, a), b)


def _regions(blob: bytes) -> dict[str, range]:
    envelope = Envelope.from_bytes(blob)
    n = len(envelope.key_id)
    wrapped_at = 10 + n
    nonce_at = wrapped_at + len(envelope.wrapped_key)
    ct_at = nonce_at + 12
    return {
        "header": range(0, wrapped_at),
        "wrapped key": range(wrapped_at, nonce_at),
        "nonce": range(nonce_at, ct_at),
        "ciphertext": range(ct_at, len(blob) - 16),
        "tag": range(len(blob) - 16, len(blob)),
    }


def test_tampering_any_byte_of_the_envelope_fails_with_a_clear_error(ring: KeyRing) -> None:
    blob = seal(ring, SECRET, WHERE)
    regions = _regions(blob)
    assert sum(len(r) for r in regions.values()) == len(blob)
    expected = {
        "wrapped key": KeyUnwrapError,
        "nonce": AuthenticationError,
        "ciphertext": AuthenticationError,
        "tag": AuthenticationError,
    }
    for region, positions in regions.items():
        for i in positions:
            for flip in (0x01, 0x80):
                tampered = bytearray(blob)
                tampered[i] ^= flip
                with pytest.raises(VaultCryptoError) as caught:
                    open_(ring, bytes(tampered), WHERE)
                assert isinstance(caught.value, expected.get(region, VaultCryptoError)), (region, i)
                message = str(caught.value)
                assert message
                assert "L898902C3" not in message


def test_tampering_the_header_names_what_failed(ring: KeyRing) -> None:
    blob = seal(ring, SECRET, WHERE)
    with pytest.raises(EnvelopeFormatError, match="magic"):
        open_(ring, b"XV" + blob[2:], WHERE)
    with pytest.raises(EnvelopeFormatError, match="format version 2"):
        open_(ring, blob[:2] + b"\x02" + blob[3:], WHERE)
    with pytest.raises(KeyUnavailableError, match="'kel'"):
        open_(ring, blob.replace(b"kek", b"kel", 1), WHERE)
    # Key version 1 -> 2: version 2 exists, but the data key was not wrapped by it.
    with pytest.raises(KeyUnwrapError, match="integrity check"):
        open_(ring, blob[:10] + b"\x02" + blob[11:], WHERE)
    # Key version 1 -> 3: no such version.
    with pytest.raises(KeyUnavailableError, match="no version 3"):
        open_(ring, blob[:10] + b"\x03" + blob[11:], WHERE)


def test_tampering_the_associated_data_fails(ring: KeyRing) -> None:
    blob = seal(ring, SECRET, WHERE)
    encoded = WHERE.encode()
    for i in range(len(WHERE.record_id)):
        changed = bytearray(WHERE.record_id.encode())
        changed[i] ^= 0x01
        other = Context(table=WHERE.table, record_id=changed.decode("latin-1"), field=WHERE.field)
        assert other.encode() != encoded
        with pytest.raises(AuthenticationError):
            open_(ring, blob, other)


@pytest.mark.parametrize("length", [0, 1, 3, 9, 20, 40])
def test_a_truncated_envelope_is_rejected_as_malformed(ring: KeyRing, length: int) -> None:
    blob = seal(ring, SECRET, WHERE)
    with pytest.raises(EnvelopeFormatError):
        open_(ring, blob[:length], WHERE)


def test_rewrap_moves_the_data_key_to_the_primary_version_without_touching_the_ciphertext(
    provider: LocalKeyProvider,
) -> None:
    old = KeyRing(provider, "kek", {1: KeyState.PRIMARY, 2: KeyState.ACTIVE})
    new = KeyRing(provider, "kek", {1: KeyState.ACTIVE, 2: KeyState.PRIMARY})
    blob = seal(old, SECRET, WHERE)
    moved = rewrap(new, blob)
    before, after = Envelope.from_bytes(blob), Envelope.from_bytes(moved)
    assert (before.key_version, after.key_version) == (1, 2)
    assert (after.nonce, after.ciphertext) == (before.nonce, before.ciphertext)
    assert after.wrapped_key != before.wrapped_key
    assert open_(new, moved, WHERE) == SECRET
    assert rewrap(new, moved) == moved


def test_rewrap_needs_no_context_because_it_never_decrypts_the_value(provider: LocalKeyProvider) -> None:
    old = KeyRing(provider, "kek", {1: KeyState.PRIMARY, 2: KeyState.ACTIVE})
    new = KeyRing(provider, "kek", {1: KeyState.ACTIVE, 2: KeyState.PRIMARY})
    blob = seal(old, SECRET, WHERE)
    tampered = bytearray(blob)
    tampered[-1] ^= 1
    # A damaged ciphertext is carried along unchanged: rewrap cannot and does not check it.
    moved = rewrap(new, bytes(tampered))
    with pytest.raises(AuthenticationError):
        open_(new, moved, WHERE)


def test_an_empty_context_part_is_refused() -> None:
    with pytest.raises(ValueError, match="record_id"):
        Context(table="t", record_id="", field="f")


def test_an_oversized_context_part_is_refused() -> None:
    with pytest.raises(ValueError, match="longer than 1024 bytes"):
        Context(table="t" * 1025, record_id="1", field="f")
