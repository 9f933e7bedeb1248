"""GET /api/v1/watchlists/...: anonymous, invalid input, unknown objects and happy paths."""

from __future__ import annotations

import uuid

import pytest

from screening.lists import SAMPLES_DIR
from screening.models import ListEntry
from screening.services import watchlists as services

pytestmark = pytest.mark.django_db

UN_SAMPLE = SAMPLES_DIR / "un" / "consolidated.xml"


@pytest.fixture
def loaded(tmp_path):
    source = services.source_ensure(code="un_sc", actor=None)
    services.list_version_import(source=source, path=UN_SAMPLE, actor=None)
    text = UN_SAMPLE.read_text(encoding="utf-8").replace(
        "<ALIAS_NAME>FRF</ALIAS_NAME>", "<ALIAS_NAME>F.R.F.</ALIAS_NAME>"
    )
    path = tmp_path / "v2.xml"
    path.write_text(text, encoding="utf-8")
    services.list_version_import(source=source, path=path, actor=None)
    bad = tmp_path / "bad.xml"
    bad.write_text("<x/>")
    with pytest.raises(services.WatchlistImportError):
        services.list_version_import(source=source, path=bad, actor=None)
    return source


# A fixed id: test ids must be the same in every pytest-xdist worker.
UNKNOWN_ENTRY = uuid.UUID(int=0x7E57)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/watchlists/",
        "/api/v1/watchlists/un_sc/",
        "/api/v1/watchlists/un_sc/versions/",
        "/api/v1/watchlists/un_sc/versions/1/changes/",
        f"/api/v1/watchlists/entries/{UNKNOWN_ENTRY}/",
    ],
)
def test_anonymous_callers_get_401_in_the_error_envelope(api, url) -> None:
    response = api.get(url)
    assert response.status_code == 401
    assert response.json()["error"]["code"]


def test_the_source_list_shows_the_active_version_counts_and_freshness(client_api, loaded) -> None:
    response = client_api.get("/api/v1/watchlists/")
    assert response.status_code == 200
    [source] = response.json()["results"]
    assert source["code"] == "un_sc"
    active = source["active_version"]
    assert active["number"] == 2
    assert active["status"] == "active"
    assert active["published_on"] == "2026-01-15"
    assert active["entry_count"] == 5
    assert active["counts"] == {"Organization": 2, "Person": 3}
    assert (active["added_count"], active["removed_count"], active["changed_count"]) == (0, 0, 1)
    assert source["freshness"]["stale"] is False
    assert source["freshness"]["age_hours"] == 0.0


def test_versions_include_failed_imports_with_their_error(officer_api, loaded) -> None:
    response = officer_api.get("/api/v1/watchlists/un_sc/versions/")
    assert response.status_code == 200
    versions = response.json()["results"]
    assert [(v["number"], v["status"]) for v in versions] == [(3, "failed"), (2, "active"), (1, "superseded")]
    assert "root element is <x>" in versions[0]["error"]
    failed_only = officer_api.get("/api/v1/watchlists/un_sc/versions/?status=failed").json()["results"]
    assert [v["number"] for v in failed_only] == [3]


def test_an_invalid_filter_is_a_400_with_field_errors(client_api, loaded) -> None:
    response = client_api.get("/api/v1/watchlists/un_sc/versions/?status=bogus")
    assert response.status_code == 400
    assert "status" in response.json()["error"]["fields"]
    response = client_api.get("/api/v1/watchlists/un_sc/versions/2/changes/?kind=bogus")
    assert response.status_code == 400
    assert "kind" in response.json()["error"]["fields"]


def test_a_version_diff_lists_its_changed_entries_and_fields(client_api, loaded) -> None:
    response = client_api.get("/api/v1/watchlists/un_sc/versions/2/changes/?kind=changed")
    assert response.status_code == 200
    assert response.json()["results"] == [
        {"ref": "QDe.901", "kind": "changed", "primary_name": "FICTIONAL RELIEF FOUNDATION", "fields": ["names"]}
    ]
    assert client_api.get("/api/v1/watchlists/un_sc/versions/2/").json()["changed_count"] == 1


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/watchlists/nope/",
        "/api/v1/watchlists/nope/versions/",
        "/api/v1/watchlists/un_sc/versions/99/",
        "/api/v1/watchlists/un_sc/versions/99/changes/",
        f"/api/v1/watchlists/entries/{UNKNOWN_ENTRY}/",
    ],
)
def test_unknown_sources_versions_and_entries_are_404(client_api, loaded, url) -> None:
    response = client_api.get(url)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_an_entry_is_returned_by_id_with_all_its_data(client_api, loaded) -> None:
    entry = ListEntry.objects.get(version__number=2, ref="QDi.901")
    response = client_api.get(f"/api/v1/watchlists/entries/{entry.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["source"] == "un_sc"
    assert body["version"] == 2
    assert body["version_status"] == "active"
    assert body["primary_name"] == "SAMPLE QADIR AL-FICTIONI"
    names = {(n["full"], n["kind"]) for n in body["data"]["names"]}
    assert ("عينة قادر الخيالي", "original_script") in names
    assert body["data"]["birth_dates"] == [{"value": None, "year_from": 1970, "year_to": 1973}]
