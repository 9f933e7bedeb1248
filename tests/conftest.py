"""Shared test fixtures."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.shared import shared_path


@pytest.fixture
def shared() -> Callable[..., Path]:
    """The shared_path helper as a fixture: shared("watchlists", "un", "consolidated.xml")."""
    return shared_path
