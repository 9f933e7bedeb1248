"""Monitoring fixtures: hand-made list versions (fictional names), monitored customers, a fresh party index."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

SOURCE = "custom_monitoring_tests"


def entry(ref: str, name: str, *, topics: tuple[str, ...] = ("sanction",), **properties: Any) -> dict[str, Any]:
    """One FollowTheMoney line of a fictional listed person."""
    props = {"name": [name], "topics": list(topics), **{k: list(v) for k, v in properties.items()}}
    return {"id": ref, "caption": name, "schema": "Person", "properties": props, "datasets": ["tests"], "target": True}


#: Fictional people that no customer of the tests resembles.
BASELINE = [
    entry("mon-ostrava", "Bohuslav Ostravsky"),
    entry("mon-quillon", "Perpetua Quillon-Ravel"),
    entry("mon-tarkhov", "Innokenty Tarkhovich"),
]


@pytest.fixture(autouse=True)
def vault_keys(tmp_path: Path, settings: Any) -> Iterator[Path]:
    """A fresh local vault key file for each test (webhook secrets are sealed by the vault)."""
    from vault import keyring

    path = tmp_path / "keys" / "vault-keys.json"
    settings.TILLIT_VAULT_KEY_FILE = str(path)
    settings.TILLIT_VAULT_KEYS = ""
    settings.TILLIT_VAULT_GENERATE_KEYS = True
    settings.TILLIT_VAULT_KEY_PROVIDER = "vault.keyring.local_provider"
    keyring.reset_provider_cache()
    yield path
    keyring.reset_provider_cache()


@pytest.fixture(autouse=True)
def fresh_indexes(tmp_path: Path, settings: Any) -> Iterator[None]:
    """Private index folders and empty in-process indexes for each test."""
    from monitoring.party_index import holder
    from screening.runtime import runtime

    settings.TILLIT_SCREENING_INDEX_DIR = str(tmp_path / "screening-index")
    settings.TILLIT_MONITORING_INDEX_DIR = str(tmp_path / "monitoring-index")
    runtime.reset()
    holder.reset()
    yield
    runtime.reset()
    holder.reset()


class Lists:
    """Writes list files and imports them as new active versions (the signal fires after the commit)."""

    def __init__(self, folder: Path, capture: Callable[..., Any]) -> None:
        self.folder = folder
        self.capture = capture
        self.count = 0

    def write(self, entries: list[dict[str, Any]]) -> Path:
        self.count += 1
        path = self.folder / f"list-{self.count}.ftm.json"
        path.write_text("".join(json.dumps(e) + "\n" for e in entries))
        return path

    def activate(self, entries: list[dict[str, Any]], *, run_callbacks: bool = True) -> Any:
        """Import ``entries`` as the next version; with run_callbacks the delta job runs (eagerly) too."""
        from screening.services.watchlists import list_version_import, source_ensure

        source = source_ensure(code=SOURCE, fmt="ftm-json", name="monitoring tests", actor=None)
        path = self.write(entries)
        if run_callbacks:
            with self.capture(execute=True):
                result = list_version_import(source=source, path=path, actor=None, allow_shrink=True)
        else:
            result = list_version_import(source=source, path=path, actor=None, allow_shrink=True)
        return result.version


@pytest.fixture
def lists(db: None, tmp_path: Path, django_capture_on_commit_callbacks: Callable[..., Any]) -> Lists:
    folder = tmp_path / "lists"
    folder.mkdir()
    return Lists(folder, django_capture_on_commit_callbacks)


@pytest.fixture
def tenant(db: None) -> Any:
    from accounts import services

    return services.api_client_create(name="monitoring-tests", actor=None)


@pytest.fixture
def onboard(tenant: Any, django_capture_on_commit_callbacks: Callable[..., Any]) -> Callable[..., Any]:
    """onboard("Given", "Family", birth_date=None): a customer created and submitted (pipeline run eagerly)."""
    from kyc.services.cases import case_submit
    from kyc.services.customers import customer_create

    def make(given: str, family: str, *, birth_date: str | None = None, nationalities: tuple = ("GB",)) -> Any:
        details: dict[str, Any] = {"given_names": given, "family_name": family, "nationalities": list(nationalities)}
        if birth_date:
            details["birth_date"] = birth_date
        customer = customer_create(client=tenant, kind="individual", details=details, actor=None)
        with django_capture_on_commit_callbacks(execute=True):
            case_submit(customer=customer, actor=None)
        customer.refresh_from_db()
        return customer

    return make


@pytest.fixture
def webhook_endpoint(tenant: Any, settings: Any) -> Any:
    """An endpoint of the tenant for alert webhooks (deliveries are recorded; nothing listens there)."""
    from kyc.services.webhooks import webhook_endpoint_create

    settings.TILLIT_KYC_WEBHOOK_ALLOW_HTTP = True
    settings.TILLIT_KYC_WEBHOOK_ALLOW_PRIVATE = True
    settings.TILLIT_KYC_WEBHOOK_MAX_ATTEMPTS = 1
    return webhook_endpoint_create(
        client=tenant, url="http://127.0.0.1:9/hooks", events=["customer.alert_raised"], actor=None
    ).endpoint
