"""load_watchlist, sync_watchlists (network mocked) and watchlist_diff."""

from __future__ import annotations

import io
import shutil
import urllib.error
from datetime import timedelta
from email.message import Message
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from screening.lists import SAMPLES_DIR
from screening.models import ListVersion, Source, SyncRun, VersionStatus
from screening.services import fetch, sync
from screening.services import watchlists as services
from screening.tasks import sync_due

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=out)
    return out.getvalue()


def test_load_watchlist_loads_a_file_into_the_default_source_for_its_format() -> None:
    out = run("load_watchlist", "un-xml", str(SAMPLES_DIR / "un" / "consolidated.xml"))
    assert "un_sc: v1 active, 5 entries" in out
    assert "published 2026-01-15" in out
    out = run("load_watchlist", "un-xml", str(SAMPLES_DIR / "un" / "consolidated.xml"))
    assert "same file as the active version; v1 stays active" in out


def test_load_watchlist_refuses_a_bad_file_with_the_reason(tmp_path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text("<nope/>")
    with pytest.raises(CommandError, match=r"un_sc: import refused: .*bad.xml.*root element is <nope>"):
        run("load_watchlist", "un-xml", str(bad))


def test_load_watchlist_samples_loads_every_format_into_demo_sources() -> None:
    run("load_watchlist", "--samples")
    active = ListVersion.objects.filter(status=VersionStatus.ACTIVE).values_list("source__code", flat=True)
    assert set(active) == {
        "demo_us_ofac_sdn",
        "demo_us_ofac_cons",
        "demo_un_sc",
        "demo_eu_fsf",
        "demo_gb_hmt",
        "demo_gb_fcdo",
        "demo_ca_sema",
        "demo_us_bis_dpl",
        "demo_default",
        "demo_senzing",
    }


def test_load_watchlist_registers_a_custom_source_with_its_name() -> None:
    run(
        "load_watchlist",
        "ftm-json",
        str(SAMPLES_DIR / "opensanctions" / "entities.ftm.json"),
        "--source",
        "custom_internal",
        "--name",
        "Internal list",
    )
    assert Source.objects.get(code="custom_internal").name == "Internal list"


def test_watchlist_diff_prints_added_removed_and_changed_entries(tmp_path) -> None:
    text = (SAMPLES_DIR / "un" / "consolidated.xml").read_text(encoding="utf-8")
    changed = tmp_path / "next.xml"
    changed.write_text(
        text.replace("<ALIAS_NAME>FRF</ALIAS_NAME>", "<ALIAS_NAME>F.R.F.</ALIAS_NAME>"), encoding="utf-8"
    )
    run("load_watchlist", "un-xml", str(SAMPLES_DIR / "un" / "consolidated.xml"))
    run("load_watchlist", "un-xml", str(changed))
    out = run("watchlist_diff", "un_sc")
    assert "un_sc v1 (2026-01-15) -> v2 (2026-01-15): 0 added, 0 removed, 1 changed" in out
    assert "~ QDe.901  FICTIONAL RELIEF FOUNDATION  [names]" in out
    assert run("watchlist_diff", "un_sc", "2", "1").splitlines()[-1].startswith("~ QDe.901")
    with pytest.raises(CommandError, match="has no version 9"):
        run("watchlist_diff", "un_sc", "1", "9")


class FakeResponse(io.BytesIO):
    def __init__(self, body: bytes, headers: dict[str, str]) -> None:
        super().__init__(body)
        self.headers = Message()
        for key, value in headers.items():
            self.headers[key] = value


@pytest.fixture
def network(monkeypatch):
    """Replace the network boundary: ``responses`` maps URL -> list of bodies or exceptions, in order."""
    calls: list[tuple[str, dict[str, str]]] = []
    responses: dict[str, list[object]] = {}

    def urlopen(request, timeout):
        calls.append((request.full_url, dict(request.header_items())))
        queue = responses.get(request.full_url) or [urllib.error.URLError("unreachable")]
        item = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(item, Exception):
            raise item
        body, headers = item
        return FakeResponse(body, headers)

    monkeypatch.setattr(fetch, "urlopen", urlopen)
    monkeypatch.setattr(fetch, "sleep", lambda seconds: None)
    return calls, responses


def http_error(url: str, code: int) -> urllib.error.HTTPError:
    return urllib.error.HTTPError(url, code, "x", Message(), None)


def test_sync_downloads_imports_and_then_sends_a_conditional_request(network) -> None:
    calls, responses = network
    source = services.source_ensure(code="un_sc", actor=None)
    body = (SAMPLES_DIR / "un" / "consolidated.xml").read_bytes()
    responses[source.url] = [(body, {"ETag": '"v1"', "Last-Modified": "Thu, 15 Jan 2026 00:00:00 GMT"})]
    first = sync.source_sync(source=source)
    assert first.outcome == "imported"
    assert first.version.entry_count == 5
    responses[source.url] = [http_error(source.url, 304)]
    second = sync.source_sync(source=Source.objects.get(pk=source.pk))
    assert second.outcome == "not_modified"
    assert calls[-1][1].get("If-none-match") == '"v1"'
    assert SyncRun.objects.filter(source=source).count() == 2
    source.refresh_from_db()
    assert source.next_sync_at > source.last_sync_at


def test_the_uk_sanctions_list_syncs_from_the_fcdo_url_every_two_hours(network) -> None:
    _, responses = network
    source = services.source_ensure(code="gb_fcdo", actor=None)
    body = (SAMPLES_DIR / "uk_fcdo" / "UK-Sanctions-List.xml").read_bytes()
    responses["https://sanctionslist.fcdo.gov.uk/docs/UK-Sanctions-List.xml"] = [(body, {"ETag": '"f1"'})]
    run_ = sync.source_sync(source=source)
    assert run_.outcome == "imported"
    assert run_.version.entry_count == 5
    assert str(run_.version.published_on) == "2026-02-16"
    source.refresh_from_db()
    assert source.next_sync_at - source.last_sync_at == timedelta(hours=2)


def test_sync_retries_transient_errors_then_succeeds(network) -> None:
    calls, responses = network
    source = services.source_ensure(code="us_bis_dpl", actor=None)
    body = (SAMPLES_DIR / "bis" / "dpl.txt").read_bytes()
    responses[source.url] = [http_error(source.url, 503), TimeoutError("slow"), (body, {})]
    run_ = sync.source_sync(source=source)
    assert run_.outcome == "imported"
    assert len(calls) == 3


def test_sync_falls_back_to_the_local_copy_when_the_download_fails(network, settings, tmp_path) -> None:
    settings.TILLIT_WATCHLIST_DIR = str(tmp_path)
    shutil.copytree(SAMPLES_DIR / "ofac", tmp_path / "ofac")
    source = services.source_ensure(code="us_ofac_sdn", actor=None)
    run_ = sync.source_sync(source=source)
    assert run_.outcome == "imported"
    assert run_.origin == str(tmp_path / "ofac")
    assert "download failed" in run_.message
    assert run_.version.entry_count == 5


def test_sync_of_an_ofac_folder_downloads_the_four_files(network) -> None:
    calls, responses = network
    source = services.source_ensure(code="us_ofac_sdn", actor=None)
    for name in ("sdn.csv", "add.csv", "alt.csv"):
        responses[source.url + name] = [((SAMPLES_DIR / "ofac" / name).read_bytes(), {})]
    responses[source.url + "sdn_comments.csv"] = [http_error(source.url + "sdn_comments.csv", 404)]
    run_ = sync.source_sync(source=source)
    assert run_.outcome == "imported"
    assert [c[0].rsplit("/", 1)[1] for c in calls] == ["sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"]


def test_sync_with_neither_network_nor_local_copy_fails_and_is_recorded(network, settings) -> None:
    settings.TILLIT_WATCHLIST_DIR = None
    source = services.source_ensure(code="un_sc", actor=None)
    run_ = sync.source_sync(source=source)
    assert run_.outcome == "failed"
    assert "download failed" in run_.message
    assert not ListVersion.objects.filter(source=source).exists()


def test_sync_watchlists_offline_imports_local_copies(settings, tmp_path) -> None:
    settings.TILLIT_WATCHLIST_DIR = str(tmp_path)
    (tmp_path / "un").mkdir()
    shutil.copy(SAMPLES_DIR / "un" / "consolidated.xml", tmp_path / "un" / "UN_consolidated.xml")
    out = run("sync_watchlists", "--offline", "--source", "un_sc")
    assert "un_sc: imported" in out
    with pytest.raises(CommandError, match="1 source"):
        run("sync_watchlists", "--offline", "--source", "ca_sema")


def test_the_beat_task_syncs_only_sources_that_are_due(network, settings, tmp_path) -> None:
    settings.TILLIT_WATCHLIST_DIR = str(tmp_path)
    (tmp_path / "us_bis").mkdir()
    shutil.copy(SAMPLES_DIR / "bis" / "dpl.txt", tmp_path / "us_bis" / "dpl.txt")
    services.source_ensure(code="us_bis_dpl", actor=None)
    assert sync_due() == ["us_bis_dpl"]  # eager in tests: the sync ran
    assert SyncRun.objects.get().outcome == "imported"
    assert sync_due() == []  # next run in 6 hours


def test_sync_refuses_non_http_urls(network) -> None:
    with pytest.raises(fetch.FetchError, match="only http"):
        fetch.fetch("file:///etc/passwd", Path("/tmp/x"))
