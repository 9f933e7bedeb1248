"""The index lifecycle: built from the active versions, cached on disk per version set, swapped on activation."""

from __future__ import annotations

import pytest

from screening.engine import cache_key, load_index
from screening.runtime import Runtime, runtime
from tests.screening import screenings_support as support

fresh_runtime = support.fresh_runtime
sample_lists = support.sample_lists

pytestmark = pytest.mark.django_db


def edited_un(tmp_path, old: str, new: str):
    path = tmp_path / "un.xml"
    path.write_text(support.UN_SAMPLE.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    return path


def test_the_index_is_built_from_the_active_versions_and_cached_on_disk_under_their_key(sample_lists, fresh_runtime):
    snapshot = runtime.current()
    expected = {code: str(version.id) for code, version in sample_lists.items()}
    assert snapshot.version_map == expected
    assert snapshot.index.versions == expected
    assert {ref.number for ref in snapshot.versions} == {1}
    cached = fresh_runtime / f"index-{cache_key(expected)}.pickle"
    assert cached.exists()
    assert load_index(fresh_runtime, expected).size == snapshot.index.size == 10


def test_another_worker_loads_the_cached_index_instead_of_rebuilding_it(sample_lists, fresh_runtime):
    runtime.current()
    (cached,) = fresh_runtime.glob("index-*.pickle")
    written = cached.stat().st_mtime_ns
    worker = Runtime()  # a second process, as far as the index is concerned
    assert worker.current().index.size == 10
    assert cached.stat().st_mtime_ns == written


def test_an_activation_swaps_the_index_of_a_serving_process_at_once(
    sample_lists, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.TILLIT_SCREENING_VERSION_CHECK_SECONDS = 3600  # only the signal can tell it
    before = runtime.current()
    with django_capture_on_commit_callbacks(execute=True):
        support.import_list("demo_un", "un-xml", edited_un(tmp_path, "1965-04-12", "1965-04-13"))
    after = runtime.peek()
    assert after is not before
    assert {ref.source: ref.number for ref in after.versions} == {"demo_un": 2, "demo_ofac": 1}
    assert before.index.versions != after.index.versions  # the old snapshot is untouched for requests using it


def test_a_process_that_never_screened_does_not_build_an_index_on_activation(
    db, fresh_runtime, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        support.import_list("demo_un", "un-xml", support.UN_SAMPLE)
    assert runtime.peek() is None
    assert not list(fresh_runtime.glob("index-*.pickle"))


def test_each_request_rechecks_the_active_versions_when_the_cached_check_expired(sample_lists, tmp_path, settings):
    settings.TILLIT_SCREENING_VERSION_CHECK_SECONDS = 0
    runtime.current()
    source = sample_lists["demo_un"].source
    from screening.services import watchlists as watchlist_services

    watchlist_services.list_version_import(
        source=source, path=edited_un(tmp_path, "1965-04-12", "1965-04-13"), actor=None
    )  # no signal: the commit never happens inside a test transaction
    assert {ref.source: ref.number for ref in runtime.current().versions}["demo_un"] == 2


def test_readiness_reports_watchlists_not_ready_without_an_active_version(client, db, fresh_runtime):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["watchlists"] == {
        "ok": False,
        "detail": "no active watchlist version",
        "ms": pytest.approx(0, abs=1000),
    }


def test_readiness_reports_watchlists_ready_once_the_index_loads(client, sample_lists):
    check = client.get("/readyz").json()["checks"]["watchlists"]
    assert check["ok"] is True
    assert check["detail"] == "10 entries from demo_ofac v1, demo_un v1"


def test_the_warm_task_builds_the_disk_cache_of_the_active_versions(sample_lists, fresh_runtime):
    from screening.tasks_screenings import index_warm_task

    result = index_warm_task()
    assert result["status"] == "ready"
    assert result["entries"] == 10
    assert list(fresh_runtime.glob("index-*.pickle"))
    assert runtime.peek() is None  # the task fills the disk cache; it does not need the index itself


def test_the_warm_task_without_active_lists_does_nothing(db, fresh_runtime):
    from screening.tasks_screenings import index_warm_task

    assert index_warm_task() == {"status": "no active lists"}
