"""kyc fixtures: vault keys per test, a hand-made watchlist (active in the database), officers, customers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

WATCHLIST_FILE = Path(__file__).with_name("watchlist.ftm.json")  # fictional people and companies
WATCHLIST_SOURCE = "custom_kyc_tests"


def load_watchlist() -> Any:
    """Import the hand-made list as the active version of its source (as load_watchlist would)."""
    from screening.services.watchlists import list_version_import, source_ensure

    source = source_ensure(code=WATCHLIST_SOURCE, fmt="ftm-json", name="kyc tests", actor=None)
    return list_version_import(source=source, path=WATCHLIST_FILE, actor=None).version


@pytest.fixture(autouse=True)
def vault_keys(tmp_path: Path, settings: Any) -> Iterator[Path]:
    """A fresh local vault key file for each test (never the developer's keys)."""
    from vault import keyring

    path = tmp_path / "keys" / "vault-keys.json"
    settings.TILLIT_VAULT_KEY_FILE = str(path)
    settings.TILLIT_VAULT_KEYS = ""
    settings.TILLIT_VAULT_GENERATE_KEYS = True
    settings.TILLIT_VAULT_KEY_PROVIDER = "vault.keyring.local_provider"
    keyring.reset_provider_cache()
    yield path
    keyring.reset_provider_cache()


@pytest.fixture
def screening_runtime(tmp_path: Path, settings: Any) -> Iterator[Any]:
    """A private index folder and a fresh screening runtime for this test."""
    from screening.runtime import runtime

    settings.TILLIT_SCREENING_INDEX_DIR = str(tmp_path / "screening-index")
    runtime.reset()
    yield runtime
    runtime.reset()


@pytest.fixture
def watchlist(db: None, screening_runtime: Any) -> Any:
    """Screen against the hand-made watchlist (an active list version in the database)."""
    return load_watchlist()


@pytest.fixture
def no_watchlist(db: None, screening_runtime: Any) -> None:
    """No active list version at all."""


def make_officer(email: str, role: str = "officer") -> Any:
    from accounts.models import User

    return User.objects.create_user(email, "correct horse battery", role=role, is_staff=True)


@pytest.fixture
def officers(db: None) -> dict[str, Any]:
    return {
        "first": make_officer("first.officer@example.test"),
        "second": make_officer("second.officer@example.test", role="senior_officer"),
        "senior": make_officer("senior.officer@example.test", role="senior_officer"),
        "analyst": make_officer("analyst@example.test", role="analyst"),
    }


PERSON = {"given_names": "Alice", "family_name": "Johnson", "birth_date": "1985-02-17", "nationalities": ["GB"]}


@pytest.fixture
def create_customer(client_api: APIClient) -> Callable[..., dict[str, Any]]:
    """POST a customer through the API; returns the response body."""

    def create(api: APIClient | None = None, **body: Any) -> dict[str, Any]:
        payload = {"kind": "individual", "details": dict(PERSON), **body}
        response = (api or client_api).post("/api/v1/customers/", payload, format="json")
        assert response.status_code == 201, response.json()
        return response.json()

    return create


def add_party(api: APIClient, customer_id: str, **body: Any) -> dict[str, Any]:
    response = api.post(f"/api/v1/customers/{customer_id}/parties/", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()
