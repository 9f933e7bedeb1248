"""The registry of audit action codes. A code is registered once; a second registration is an error.

Each app declares its codes in ``<app>/audit_actions.py`` (imported by the audit app at
start-up), e.g. ``register("watchlist.version.activated", "A watchlist version became active")``.
``audit_record`` refuses codes that are not registered, so that every event in the log
has a documented meaning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){1,4}$")


class ActionRegistryError(ValueError):
    """An action code is malformed, registered twice, or unknown."""


@dataclass(frozen=True, slots=True)
class Action:
    code: str
    description: str


_registry: dict[str, Action] = {}


def register(code: str, description: str) -> str:
    """Register an action code (``<app>.<entity>.<verb>``) with a one-line description; returns the code."""
    if not CODE_PATTERN.match(code):
        raise ActionRegistryError(f"action code {code!r} must be dotted lower-case words, e.g. 'kyc.case.decided'")
    if not description.strip():
        raise ActionRegistryError(f"action code {code!r} needs a description")
    if code in _registry:
        raise ActionRegistryError(f"action code {code!r} is already registered")
    _registry[code] = Action(code=code, description=description.strip())
    return code


def get(code: str) -> Action:
    """The registered action for ``code``; ActionRegistryError if it was never registered."""
    try:
        return _registry[code]
    except KeyError:
        raise ActionRegistryError(f"action code {code!r} is not registered") from None


def is_registered(code: str) -> bool:
    return code in _registry


def all_actions() -> list[Action]:
    """Every registered action, sorted by code."""
    return sorted(_registry.values(), key=lambda action: action.code)
