"""Fixtures shared by the screening-service tests (imported by name from each test module)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from screening.lists import SAMPLES_DIR
from screening.models import ListVersion
from screening.runtime import runtime
from screening.services import watchlists as watchlist_services

UN_SAMPLE = SAMPLES_DIR / "un" / "consolidated.xml"
OFAC_SAMPLE = SAMPLES_DIR / "ofac"


@pytest.fixture
def fresh_runtime(settings: object, tmp_path: Path) -> Iterator[Path]:
    """A private on-disk index cache and an empty in-memory index, restored afterwards."""
    directory = tmp_path / "index"
    settings.TILLIT_SCREENING_INDEX_DIR = directory  # type: ignore[attr-defined]
    runtime.reset()
    yield directory
    runtime.reset()


def import_list(code: str, fmt: str, path: Path) -> ListVersion:
    source = watchlist_services.source_ensure(code=code, fmt=fmt, actor=None)
    result = watchlist_services.list_version_import(source=source, path=path, actor=None, allow_shrink=True)
    runtime.expire()  # the activation signal fires on commit, which a test transaction never reaches
    return result.version


@pytest.fixture
def sample_lists(db: None, fresh_runtime: Path) -> dict[str, ListVersion]:
    """The hand-made UN and OFAC samples, active as demo_un and demo_ofac."""
    return {
        "demo_un": import_list("demo_un", "un-xml", UN_SAMPLE),
        "demo_ofac": import_list("demo_ofac", "ofac-csv", OFAC_SAMPLE),
    }


@pytest.fixture
def make_screening_client(make_api_client: Callable[..., tuple[object, str]]) -> Callable[..., APIClient]:
    """make_screening_client(scopes=["screening:run"]): an API-key client (tenant) allowed to screen."""
    from accounts.services import api_client_update

    def make(scopes: list[str] | None = None) -> APIClient:
        tenant, secret = make_api_client()
        api_client_update(client=tenant, actor=None, scopes=["screening:run"] if scopes is None else scopes)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {secret}")
        client.tenant = tenant  # type: ignore[attr-defined]
        return client

    return make


@pytest.fixture
def screening_client(make_screening_client: Callable[..., APIClient]) -> APIClient:
    return make_screening_client()
