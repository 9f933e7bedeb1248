"""Environment access for settings (django-environ), and the local data folder."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

# Embedded mode keeps its SQLite file, generated dev keys and caches here (gitignored).
DATA_DIR = Path(env.str("TILLIT_DATA_DIR", default=str(BASE_DIR / "data")))


def local_secret(name: str, *, nbytes: int = 50) -> str:
    """Read a generated development secret from the data folder, creating it (mode 0600) on first use."""
    path = DATA_DIR / "keys" / name
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(nbytes)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value
