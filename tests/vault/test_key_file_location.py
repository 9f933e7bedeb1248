"""The default key file lives in a git-ignored folder, so it is never committed by accident."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from vault import keyring

REPO = Path(__file__).resolve().parents[2]


def test_the_default_key_file_is_git_ignored() -> None:
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    path = keyring.key_file_path()
    try:
        relative = path.resolve().relative_to(REPO)
    except ValueError:
        pytest.skip(f"the data folder {path.parent} is outside the repository")
    result = subprocess.run(["git", "check-ignore", "-q", str(relative)], cwd=REPO, check=False)
    assert result.returncode == 0, f"{relative} is not git-ignored: add its folder to .gitignore"
