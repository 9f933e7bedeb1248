"""kyc fixtures: vault keys per test, a hand-made watchlist index, officers, and customer builders."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from kyc import integrations
from screening.engine import build_index, save_index
from screening.lists.record import BirthDate, Entry, Name

#: A tiny watchlist (fictional people and companies) with the topics real lists carry.
WATCHLIST = [
    (
        "us_ofac_sdn",
        Entry(
            ref="9001",
            schema="Person",
            names=[Name("Viktor Zarenko")],
            birth_dates=[BirthDate("1961-04-12")],
            nationalities=["RU"],
            topics=["sanction"],
            programs=["TEST-EO"],
        ),
    ),
    ("us_ofac_sdn", Entry(ref="9002", schema="Person", names=[Name("Marta Kolesnikova-Brandt")], topics=["sanction"])),
    (
        "os_peps",
        Entry(
            ref="pep-77", schema="Person", names=[Name("Elena Stoyanova")], nationalities=["BG"], topics=["role.pep"]
        ),
    ),
    ("un_sc", Entry(ref="QDe.999", schema="Organization", names=[Name("Zarenko Trading LLC")], topics=["sanction"])),
]
WATCHLIST_VERSIONS = {"kyc-tests": "2026-11-29"}


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


def write_watchlist_index(directory: Path) -> Path:
    return save_index(build_index(WATCHLIST, versions=WATCHLIST_VERSIONS), directory)


@pytest.fixture
def watchlist(tmp_path: Path, settings: Any) -> Path:
    """Screen against the hand-made watchlist above."""
    directory = tmp_path / "screening-index"
    write_watchlist_index(directory)
    settings.TILLIT_SCREENING_INDEX_DIR = str(directory)
    integrations._index_cache.clear()
    return directory


@pytest.fixture
def no_watchlist(tmp_path: Path, settings: Any) -> Path:
    """No screening index at all."""
    directory = tmp_path / "empty-index"
    directory.mkdir()
    settings.TILLIT_SCREENING_INDEX_DIR = str(directory)
    integrations._index_cache.clear()
    return directory


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
