"""Fixtures for the vault's Django tests: a private key file per test, officers with and without rights."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Permission

from vault import keyring


@pytest.fixture
def vault_keys(tmp_path: Path, settings: Any) -> Iterator[Path]:
    """A fresh local key file (created on first use, as in embedded mode) for this test only."""
    path = tmp_path / "keys" / "vault-keys.json"
    settings.TILLIT_VAULT_KEY_FILE = str(path)
    settings.TILLIT_VAULT_KEYS = ""
    settings.TILLIT_VAULT_GENERATE_KEYS = True
    settings.TILLIT_VAULT_KEY_PROVIDER = "vault.keyring.local_provider"
    keyring.reset_provider_cache()
    yield path
    keyring.reset_provider_cache()


@pytest.fixture
def officer(db: None) -> Any:
    from accounts.models import User

    user = User.objects.create_user("officer@example.org", "correct horse battery", role="officer")
    user.user_permissions.add(Permission.objects.get(codename="reveal_storedidentifier"))
    return User.objects.get(pk=user.pk)  # fresh instance: no stale permission cache


@pytest.fixture
def analyst(db: None) -> Any:
    from accounts.models import User

    return User.objects.create_user("analyst@example.org", "correct horse battery", role="analyst")
