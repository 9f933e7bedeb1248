"""Lookup tokens and masked display values."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import iban, lei, luhn

from vault.crypto import (
    KeyRetiredError,
    KeyRing,
    KeyState,
    LocalKeyProvider,
    TokenFormatError,
    aead,
    is_token,
    lookup_tokens,
    mask,
    token_for,
    token_version,
)
from vault.validation import IdentifierValidationError, validate_identifier

PROVIDER = LocalKeyProvider({"token": {1: aead.new_key(), 2: aead.new_key()}})
RING = KeyRing(PROVIDER, "token", {1: KeyState.PRIMARY})


def test_a_token_is_deterministic_prefixed_and_versioned() -> None:
    token = token_for(RING, "passport", "UTO:L898902C3")
    assert token == token_for(RING, "passport", "UTO:L898902C3")
    assert token.startswith("tok_v1_")
    assert is_token(token)
    assert token_version(token) == 1
    assert "L898902C3" not in token


def test_the_identifier_type_is_part_of_the_token() -> None:
    assert token_for(RING, "national_id", "123456782") != token_for(RING, "tax_id", "123456782")


def test_tokens_under_another_key_differ() -> None:
    other = KeyRing(LocalKeyProvider.generate(["token"]), "token", {1: KeyState.PRIMARY})
    value = "GB82WEST12345698765432"
    assert token_for(RING, "iban", value) != token_for(other, "iban", value)


@given(st.text(min_size=1, max_size=64), st.text(min_size=1, max_size=64))
def test_a_token_is_never_a_valid_card_iban_or_lei(kind: str, value: str) -> None:
    token = token_for(RING, kind, value)
    assert is_token(token)
    assert not luhn.is_valid(token)
    assert not iban.is_valid(token)
    assert not lei.is_valid(token)
    with pytest.raises(IdentifierValidationError):
        validate_identifier("passport", token, country="UTO")


def test_type_and_value_boundaries_are_unambiguous() -> None:
    assert token_for(RING, "ab", "c") != token_for(RING, "a", "bc")


def test_dual_lookup_offers_the_primary_token_then_the_previous_one() -> None:
    rotating = KeyRing(PROVIDER, "token", {1: KeyState.ACTIVE, 2: KeyState.PRIMARY})
    tokens = lookup_tokens(rotating, "lei", "5493001KJTIIGC8Y1R12")
    assert [token_version(t) for t in tokens] == [2, 1]
    assert tokens[1] == token_for(RING, "lei", "5493001KJTIIGC8Y1R12")


def test_a_retired_token_key_is_no_longer_looked_up_or_used() -> None:
    done = KeyRing(PROVIDER, "token", {1: KeyState.RETIRED, 2: KeyState.PRIMARY})
    assert [token_version(t) for t in lookup_tokens(done, "lei", "5493001KJTIIGC8Y1R12")] == [2]
    with pytest.raises(KeyRetiredError):
        token_for(done, "lei", "5493001KJTIIGC8Y1R12", version=1)


@pytest.mark.parametrize("value", ["", "tok_", "tok_v0_" + "a" * 52, "tok_v1_" + "A" * 52, "4242424242424242"])
def test_strings_that_are_not_tokens_are_rejected(value: str) -> None:
    assert not is_token(value)
    with pytest.raises(TokenFormatError, match="not a vault token"):
        token_version(value)


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("4242424242424242", "****4242"),
        ("GB82 WEST 1234 5698 7654 32", "****5432"),
        ("L898902C3", "****02C3"),
        ("12345", "****45"),
        ("ab", "****b"),
        ("a", "****"),
    ],
)
def test_masking_shows_at_most_the_last_four_characters_and_never_half(value: str, masked: str) -> None:
    assert mask(value) == masked


@given(st.text(min_size=1, max_size=40))
def test_a_mask_never_reveals_more_than_half_of_the_value(value: str) -> None:
    compact = "".join(value.split())
    shown = mask(value).removeprefix("****")
    assert len(shown) <= min(4, len(compact) // 2)
