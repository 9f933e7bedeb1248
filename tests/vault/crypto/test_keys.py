"""Key states, their transitions, and what a key ring lets each version do."""

from __future__ import annotations

import pytest

from vault.crypto import (
    Context,
    KeyRetiredError,
    KeyRing,
    KeyState,
    KeyStateError,
    KeyUnavailableError,
    LocalKeyProvider,
    aead,
    key_version_of,
    open_,
    rewrap,
    seal,
    states_add,
    states_promote,
    states_retire,
)

P, A, R = KeyState.PRIMARY, KeyState.ACTIVE, KeyState.RETIRED
WHERE = Context(table="t", record_id="1", field="f")


def test_the_first_version_is_primary_and_later_ones_join_as_active() -> None:
    assert states_add({}, 1) == {1: P}
    assert states_add({1: P}, 2) == {1: P, 2: A}


def test_adding_an_existing_version_is_refused() -> None:
    with pytest.raises(KeyStateError, match="already exists"):
        states_add({1: P}, 1)


def test_promoting_demotes_the_old_primary_to_active() -> None:
    assert states_promote({1: P, 2: A}, 2) == {1: A, 2: P}
    assert states_promote({1: P, 2: A}, 1) == {1: P, 2: A}


def test_a_retired_version_cannot_come_back() -> None:
    with pytest.raises(KeyStateError, match="only an active version"):
        states_promote({1: R, 2: P}, 1)


def test_the_primary_cannot_be_retired() -> None:
    with pytest.raises(KeyStateError, match="promote another version"):
        states_retire({1: P, 2: A}, 1)
    assert states_retire({1: A, 2: P}, 1) == {1: R, 2: P}


def test_unknown_versions_are_refused_by_every_transition() -> None:
    with pytest.raises(KeyStateError, match="does not exist"):
        states_promote({1: P}, 9)
    with pytest.raises(KeyStateError, match="does not exist"):
        states_retire({1: P}, 9)


@pytest.mark.parametrize("states", [{}, {1: A}, {1: P, 2: P}])
def test_a_key_ring_needs_exactly_one_primary(states: dict[int, KeyState]) -> None:
    with pytest.raises(KeyStateError, match="exactly one primary"):
        KeyRing(LocalKeyProvider.generate(["kek"]), "kek", states)


def test_usable_versions_list_the_primary_first_then_active_newest_first() -> None:
    provider = LocalKeyProvider.generate(["kek"])
    ring = KeyRing(provider, "kek", {1: A, 2: R, 3: A, 4: P})
    assert ring.usable == [4, 3, 1]


def test_four_stage_rotation_decrypts_exactly_what_each_stage_allows() -> None:
    """Old key only -> new key added -> new key primary -> old key retired."""
    provider = LocalKeyProvider({"kek": {1: aead.new_key(), 2: aead.new_key()}})

    # Stage 1: only the old key. Values are wrapped by version 1.
    stage1 = KeyRing(provider, "kek", {1: P})
    old_value = seal(stage1, b"old", WHERE)
    assert key_version_of(old_value) == ("kek", 1)
    with pytest.raises(KeyUnavailableError):
        stage1.unwrap(2, b"\x00" * 40)

    # Stage 2: new key added as active. New values still use version 1; both versions unwrap.
    stage2 = KeyRing(provider, "kek", states_add(stage1.states, 2))
    assert key_version_of(seal(stage2, b"x", WHERE)) == ("kek", 1)
    assert open_(stage2, old_value, WHERE) == b"old"

    # Stage 3: new key primary. New values use version 2; old ones still open and are re-wrapped.
    stage3 = KeyRing(provider, "kek", states_promote(stage2.states, 2))
    new_value = seal(stage3, b"new", WHERE)
    assert key_version_of(new_value) == ("kek", 2)
    assert open_(stage3, old_value, WHERE) == b"old"
    moved = rewrap(stage3, old_value)
    assert key_version_of(moved) == ("kek", 2)

    # Stage 4: old key retired. Re-wrapped and new values open; anything left on version 1 does not.
    stage4 = KeyRing(provider, "kek", states_retire(stage3.states, 1))
    assert open_(stage4, moved, WHERE) == b"old"
    assert open_(stage4, new_value, WHERE) == b"new"
    with pytest.raises(KeyRetiredError, match="version 1 is retired"):
        open_(stage4, old_value, WHERE)
    with pytest.raises(KeyRetiredError):
        rewrap(stage4, old_value)
