"""Key versions, their states, and the key ring that picks which version wraps and which may unwrap.

A key id (``kek`` for key-encryption keys, ``token`` for lookup-token keys) has numbered versions.
Each version is in one state:

* ``primary`` - exactly one per key id; wraps every new data key (or computes every new token);
* ``active``  - still unwraps (or is still looked up) but wraps nothing new: a freshly added version
  before it is promoted, or the previous primary while data keys are being re-wrapped;
* ``retired`` - unusable; a version is retired only once nothing refers to it any more.

The states themselves are metadata (kept in the database by the Django layer); the key material
stays with the provider. This module is pure: transitions are functions on a mapping of states.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from vault.crypto.errors import KeyRetiredError, KeyStateError, KeyUnavailableError
from vault.crypto.providers import KeyProvider


class KeyState(StrEnum):
    PRIMARY = "primary"
    ACTIVE = "active"
    RETIRED = "retired"


#: Allowed transitions of a single version. Promotion also demotes the old primary to active.
TRANSITIONS: Mapping[KeyState, frozenset[KeyState]] = {
    KeyState.ACTIVE: frozenset({KeyState.PRIMARY, KeyState.RETIRED}),
    KeyState.PRIMARY: frozenset({KeyState.ACTIVE}),
    KeyState.RETIRED: frozenset(),
}


def states_add(states: Mapping[int, KeyState], version: int) -> dict[int, KeyState]:
    """A newly created version joins as primary if it is the first, else as active."""
    if version in states:
        raise KeyStateError(f"key version {version} already exists")
    new = dict(states)
    new[version] = KeyState.ACTIVE if states else KeyState.PRIMARY
    return new


def states_promote(states: Mapping[int, KeyState], version: int) -> dict[int, KeyState]:
    """Make an active version primary; the previous primary becomes active."""
    current = states.get(version)
    if current is None:
        raise KeyStateError(f"key version {version} does not exist")
    if current is KeyState.PRIMARY:
        return dict(states)
    if KeyState.PRIMARY not in TRANSITIONS[current]:
        raise KeyStateError(f"key version {version} is {current}; only an active version can become primary")
    return {
        v: (KeyState.PRIMARY if v == version else KeyState.ACTIVE if s is KeyState.PRIMARY else s)
        for v, s in states.items()
    }


def states_retire(states: Mapping[int, KeyState], version: int) -> dict[int, KeyState]:
    """Retire an active version (the caller must first prove that nothing refers to it)."""
    current = states.get(version)
    if current is None:
        raise KeyStateError(f"key version {version} does not exist")
    if current is KeyState.RETIRED:
        return dict(states)
    if current is KeyState.PRIMARY:
        raise KeyStateError(f"key version {version} is primary; promote another version before retiring it")
    new = dict(states)
    new[version] = KeyState.RETIRED
    return new


@dataclass(frozen=True)
class KeyRing:
    """The versions of one key id with their states, backed by a provider that holds the material."""

    provider: KeyProvider
    key_id: str
    states: Mapping[int, KeyState] = field(default_factory=dict)

    def __post_init__(self) -> None:
        primaries = [v for v, s in self.states.items() if s is KeyState.PRIMARY]
        if len(primaries) != 1:
            raise KeyStateError(f"key id {self.key_id!r} must have exactly one primary version, has {len(primaries)}")

    @property
    def primary(self) -> int:
        """The version that wraps new data keys (or computes new tokens)."""
        return next(v for v, s in self.states.items() if s is KeyState.PRIMARY)

    @property
    def usable(self) -> list[int]:
        """Primary first, then active versions, newest first: the order for dual lookup."""
        active = sorted((v for v, s in self.states.items() if s is KeyState.ACTIVE), reverse=True)
        return [self.primary, *active]

    def check_usable(self, version: int) -> None:
        """Raise unless ``version`` may unwrap (or be looked up)."""
        state = self.states.get(version)
        if state is None:
            raise KeyUnavailableError(f"key {self.key_id!r} has no version {version}")
        if state is KeyState.RETIRED:
            raise KeyRetiredError(f"key {self.key_id!r} version {version} is retired and may not be used")

    def wrap(self, data_key: bytes) -> tuple[int, bytes]:
        """Wrap a data key under the primary version; returns (version, wrapped key)."""
        version = self.primary
        return version, self.provider.wrap(self.key_id, version, data_key)

    def unwrap(self, version: int, wrapped: bytes) -> bytes:
        """Unwrap a data key wrapped under ``version`` (primary or active only)."""
        self.check_usable(version)
        return self.provider.unwrap(self.key_id, version, wrapped)

    def mac(self, version: int, message: bytes) -> bytes:
        """HMAC-SHA256 of ``message`` under ``version`` (primary or active only)."""
        self.check_usable(version)
        return self.provider.mac(self.key_id, version, message)
