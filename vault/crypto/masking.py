"""Masked display values: a fixed run of asterisks and at most the last four characters."""

from __future__ import annotations

MASK = "****"


def mask(value: str, visible: int = 4) -> str:
    """Mask ``value`` for display, e.g. ``****4242``.

    The prefix has a fixed length so that the mask does not reveal the value's length, and at most
    half of a short value is shown so that a four-character value is never displayed whole.
    """
    compact = "".join(value.split())
    shown = min(visible, len(compact) // 2)
    return MASK + (compact[-shown:] if shown else "")
