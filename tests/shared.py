"""Where ../shared lives, and how tests that need it skip (or fail under CI=true)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("TILLIT_SHARED_DIR", REPO.parent / "shared"))


def shared_path(*parts: str) -> Path:
    """Path under ../shared; skip when it is absent, but fail under CI=true."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        reason = f"{path} is absent: the real watchlists and vectors live in ../shared beside the repo"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {reason}", pytrace=False)
        pytest.skip(reason)
    return path
