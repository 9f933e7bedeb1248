"""TransitKeyProvider against a local stand-in of the Transit HTTP API: envelopes, tokens, rotation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.vault.crypto.fake_transit import TOKEN, FakeTransit, running_transit
from vault.crypto import (
    Context,
    Envelope,
    KeyProvider,
    KeyProviderError,
    KeyRing,
    KeyState,
    KeyUnavailableError,
    KeyUnwrapError,
    open_,
    rewrap,
    seal,
    states_add,
    states_promote,
    token_for,
)
from vault.crypto.transit import TransitKeyProvider

WHERE = Context(table="vault_storedidentifier", record_id="7", field="value")


@pytest.fixture
def transit() -> Iterator[tuple[TransitKeyProvider, FakeTransit]]:
    with running_transit() as (address, fake):
        provider = TransitKeyProvider(address=address, token=TOKEN)
        provider.create_version("kek")
        provider.create_version("token")
        yield provider, fake


def test_transit_is_a_key_provider_whose_repr_hides_the_token(transit: tuple[TransitKeyProvider, FakeTransit]) -> None:
    provider, _ = transit
    assert isinstance(provider, KeyProvider)
    assert TOKEN not in repr(provider)


def test_envelopes_wrapped_by_transit_round_trip(transit: tuple[TransitKeyProvider, FakeTransit]) -> None:
    provider, _ = transit
    ring = KeyRing(provider, "kek", {1: KeyState.PRIMARY})
    blob = seal(ring, b"L898902C3", WHERE)
    assert Envelope.from_bytes(blob).wrapped_key.startswith(b"vault:v1:")
    assert open_(ring, blob, WHERE) == b"L898902C3"


def test_rotation_through_transit_rewraps_under_the_new_version(
    transit: tuple[TransitKeyProvider, FakeTransit],
) -> None:
    provider, _ = transit
    old = KeyRing(provider, "kek", {1: KeyState.PRIMARY})
    blob = seal(old, b"GB82WEST12345698765432", WHERE)
    assert provider.create_version("kek") == 2
    assert provider.versions("kek") == [1, 2]
    new = KeyRing(provider, "kek", states_promote(states_add(old.states, 2), 2))
    moved = rewrap(new, blob)
    assert Envelope.from_bytes(moved).wrapped_key.startswith(b"vault:v2:")
    assert open_(new, moved, WHERE) == b"GB82WEST12345698765432"


def test_tokens_are_transit_hmacs_per_version(transit: tuple[TransitKeyProvider, FakeTransit]) -> None:
    provider, _ = transit
    ring = KeyRing(provider, "token", {1: KeyState.PRIMARY})
    first = token_for(ring, "lei", "5493001KJTIIGC8Y1R12")
    assert first == token_for(ring, "lei", "5493001KJTIIGC8Y1R12")
    provider.create_version("token")
    assert token_for(ring, "lei", "5493001KJTIIGC8Y1R12", version=1) == first
    rotated = KeyRing(provider, "token", {1: KeyState.ACTIVE, 2: KeyState.PRIMARY})
    assert token_for(rotated, "lei", "5493001KJTIIGC8Y1R12") != first


def test_a_tampered_or_misversioned_wrapped_key_fails_to_unwrap(
    transit: tuple[TransitKeyProvider, FakeTransit],
) -> None:
    provider, _ = transit
    wrapped = provider.wrap("kek", 1, b"k" * 32)
    tampered = wrapped[:-3] + (b"AAA" if not wrapped.endswith(b"AAA") else b"BBB")
    with pytest.raises(KeyUnwrapError, match="Transit refused"):
        provider.unwrap("kek", 1, tampered)
    with pytest.raises(KeyUnwrapError, match="version 2"):
        provider.unwrap("kek", 2, wrapped)
    with pytest.raises(KeyUnwrapError):
        provider.unwrap("kek", 1, b"\xff\xfe")


def test_unknown_keys_and_versions_are_reported_as_unavailable(transit: tuple[TransitKeyProvider, FakeTransit]) -> None:
    provider, _ = transit
    with pytest.raises(KeyUnavailableError, match="version 9"):
        provider.wrap("kek", 9, b"k" * 32)
    with pytest.raises(KeyUnavailableError, match="'other'"):
        provider.versions("other")


def test_a_wrong_vault_token_or_an_unreachable_vault_is_a_provider_error() -> None:
    with running_transit() as (address, _):
        with pytest.raises(KeyProviderError, match="HTTP 403"):
            TransitKeyProvider(address=address, token="s.wrong").versions("kek")
    with pytest.raises(KeyProviderError, match="unreachable"):
        TransitKeyProvider(address="http://127.0.0.1:9", token=TOKEN, timeout=1).versions("kek")


def test_configuration_errors_are_refused_early() -> None:
    with pytest.raises(KeyProviderError, match="http"):
        TransitKeyProvider(address="file:///etc/passwd", token=TOKEN)
    with pytest.raises(KeyProviderError, match="token"):
        TransitKeyProvider(address="https://vault.example", token="")
