"""Watchlist imports: atomic activation, refusals that keep the active version, no-op reimports, diffs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.models import AuditEvent
from screening.lists import SAMPLES_DIR
from screening.models import EntryChange, ListEntry, ListVersion, Source, VersionStatus
from screening.services import watchlists as services
from screening.signals import watchlist_version_activated

pytestmark = pytest.mark.django_db

UN_SAMPLE = SAMPLES_DIR / "un" / "consolidated.xml"


@pytest.fixture
def un_source() -> Source:
    return services.source_ensure(code="demo_un", fmt="un-xml", actor=None)


@pytest.fixture
def activations() -> list[tuple[ListVersion, services.VersionDiff]]:
    seen: list[tuple[ListVersion, services.VersionDiff]] = []

    def receiver(sender, version, diff, **kwargs) -> None:
        seen.append((version, diff))

    watchlist_version_activated.connect(receiver, weak=False)
    yield seen
    watchlist_version_activated.disconnect(receiver)


def edited(tmp_path: Path, name: str, replacements: list[tuple[str, str]]) -> Path:
    text = UN_SAMPLE.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_first_import_becomes_the_active_version_with_counts(
    un_source, django_capture_on_commit_callbacks, activations
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        result = services.list_version_import(source=un_source, path=UN_SAMPLE, actor=None)
    version = result.version
    assert result.created
    assert version.status == VersionStatus.ACTIVE
    assert version.number == 1
    assert version.entry_count == 5 == ListEntry.objects.filter(version=version).count()
    assert version.counts == {"Organization": 2, "Person": 3}
    assert str(version.published_on) == "2026-01-15"
    assert version.previous is None
    assert AuditEvent.objects.filter(action="watchlist.version.activated").count() == 1
    assert [v.pk for v, _ in activations] == [version.pk]


def test_loading_the_same_file_again_creates_no_version(un_source) -> None:
    first = services.list_version_import(source=un_source, path=UN_SAMPLE, actor=None)
    again = services.list_version_import(source=un_source, path=UN_SAMPLE, actor=None)
    assert not again.created
    assert again.version.pk == first.version.pk
    assert ListVersion.objects.filter(source=un_source).count() == 1


def test_a_new_file_with_identical_entries_creates_no_version(un_source, tmp_path) -> None:
    services.list_version_import(source=un_source, path=UN_SAMPLE, actor=None)
    regenerated = edited(tmp_path, "x.xml", [("2026-01-15T00:00:05.000Z", "2026-01-16T00:00:05.000Z")])
    result = services.list_version_import(source=un_source, path=regenerated, actor=None)
    assert not result.created
    assert result.reason == "same content as the active version"
    assert ListVersion.objects.filter(source=un_source).count() == 1


def test_a_truncated_file_is_refused_and_the_active_version_keeps_serving(un_source, tmp_path) -> None:
    active = services.list_version_import(source=un_source, path=UN_SAMPLE, actor=None).version
    truncated = tmp_path / "cut.xml"
    truncated.write_bytes(UN_SAMPLE.read_bytes()[:3000])
    with pytest.raises(services.WatchlistImportError, match=r"cut.xml, line \d+: not well-formed XML") as info:
        services.list_version_import(source=un_source, path=truncated, actor=None)
    failed = info.value.version
    assert failed.status == VersionStatus.FAILED
    assert "not well-formed" in failed.error
    assert not ListEntry.objects.filter(version=failed).exists()
    active.refresh_from_db()
    assert active.status == VersionStatus.ACTIVE
    assert ListEntry.objects.filter(version=active).count() == 5
    assert AuditEvent.objects.filter(action="watchlist.version.failed").count() == 1


def test_a_file_of_the_wrong_format_is_refused(un_source) -> None:
    with pytest.raises(services.WatchlistImportError, match="not a un-xml file"):
        services.list_version_import(source=un_source, path=SAMPLES_DIR / "eu" / "eu_fsf.xml", actor=None)
    assert not ListVersion.objects.filter(source=un_source, status=VersionStatus.ACTIVE).exists()


def test_an_empty_list_is_refused(un_source, tmp_path) -> None:
    path = tmp_path / "empty.xml"
    path.write_text(
        '<?xml version="1.0"?><CONSOLIDATED_LIST dateGenerated="2026-01-01"><INDIVIDUALS/></CONSOLIDATED_LIST>'
    )
    with pytest.raises(services.WatchlistImportError, match="holds no entries"):
        services.list_version_import(source=un_source, path=path, actor=None)


def test_a_suspicious_shrink_is_refused_unless_allowed(un_source, tmp_path) -> None:
    services.list_version_import(source=un_source, path=UN_SAMPLE, actor=None)
    text = UN_SAMPLE.read_text(encoding="utf-8")
    start, end = text.index("<INDIVIDUALS>") + len("<INDIVIDUALS>"), text.index("</INDIVIDUALS>")
    smaller = tmp_path / "small.xml"
    smaller.write_text(text[:start] + text[end:], encoding="utf-8")  # 5 entries -> 2
    with pytest.raises(services.WatchlistImportError, match="suspicious shrink"):
        services.list_version_import(source=un_source, path=smaller, actor=None)
    result = services.list_version_import(source=un_source, path=smaller, actor=None, allow_shrink=True)
    assert result.created
    assert result.version.entry_count == 2


def test_a_new_version_records_added_removed_and_changed_entries(
    un_source, tmp_path, django_capture_on_commit_callbacks, activations
) -> None:
    first = services.list_version_import(source=un_source, path=UN_SAMPLE, actor=None).version
    changed = edited(
        tmp_path,
        "next.xml",
        [
            ("<REFERENCE_NUMBER>CDi.901</REFERENCE_NUMBER>", "<REFERENCE_NUMBER>CDi.902</REFERENCE_NUMBER>"),
            ("<ALIAS_NAME>FRF</ALIAS_NAME>", "<ALIAS_NAME>F.R.F.</ALIAS_NAME>"),
            ("<LISTED_ON>2017-08-05</LISTED_ON>", "<LISTED_ON>2017-08-06</LISTED_ON>"),
        ],
    )
    with django_capture_on_commit_callbacks(execute=True):
        second = services.list_version_import(source=un_source, path=changed, actor=None).version
    first.refresh_from_db()
    assert first.status == VersionStatus.SUPERSEDED
    assert second.previous == first
    assert (second.added_count, second.removed_count, second.changed_count) == (1, 1, 2)
    rows = {(c.kind, c.ref): c.fields for c in EntryChange.objects.filter(version=second)}
    assert rows == {
        ("added", "CDi.902"): [],
        ("removed", "CDi.901"): [],
        ("changed", "QDe.901"): ["names"],
        ("changed", "KPe.901"): ["listed_on"],
    }
    version, diff = activations[-1]
    assert version.pk == second.pk
    assert diff.refs == {"CDi.901", "CDi.902", "QDe.901", "KPe.901"}
    assert services.diff_versions(first, second).changed == {"KPe.901": ["listed_on"], "QDe.901": ["names"]}


def test_an_ofac_folder_loads_through_the_same_service(tmp_path) -> None:
    source = services.source_ensure(code="demo_ofac", fmt="ofac-csv", actor=None)
    folder = tmp_path / "ofac"
    shutil.copytree(SAMPLES_DIR / "ofac", folder)
    version = services.list_version_import(source=source, path=folder, actor=None).version
    assert version.entry_count == 5
    assert version.counts == {"Aircraft": 1, "Organization": 1, "Person": 2, "Vessel": 1}


def test_a_source_cannot_load_another_format() -> None:
    services.source_ensure(code="demo_un", fmt="un-xml", actor=None)
    with pytest.raises(services.WatchlistImportError, match="holds un-xml lists, not ofac-xml"):
        services.source_ensure(code="demo_un", fmt="ofac-xml", actor=None)


def test_an_official_source_is_registered_from_the_defaults() -> None:
    source = services.source_ensure(code="un_sc", actor=None)
    assert source.format == "un-xml"
    assert source.url.startswith("https://scsanctions.un.org/")
    assert AuditEvent.objects.filter(action="watchlist.source.created").count() == 1


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(min_value=0, max_value=len(UN_SAMPLE.read_bytes()) - 1), byte=st.integers(0, 255))
def test_a_mutated_file_is_either_fully_imported_or_refused_never_partial(un_source, tmp_path, cut, byte) -> None:
    if not ListVersion.objects.filter(source=un_source, status=VersionStatus.ACTIVE).exists():
        services.list_version_import(source=un_source, path=UN_SAMPLE, actor=None)
    active = ListVersion.objects.get(source=un_source, status=VersionStatus.ACTIVE)
    raw = UN_SAMPLE.read_bytes()
    path = tmp_path / f"m{cut}_{byte}.xml"
    path.write_bytes(raw[:cut] + bytes([byte]) + raw[cut + 1 :])
    try:
        result = services.list_version_import(source=un_source, path=path, actor=None, allow_shrink=True)
    except services.WatchlistImportError as exc:
        failed = exc.version
        result = None
    if result is None:
        assert failed.status == VersionStatus.FAILED
        assert failed.error
        assert not ListEntry.objects.filter(version=failed).exists()
        assert ListVersion.objects.get(source=un_source, status=VersionStatus.ACTIVE).pk == active.pk
        return
    now_active = ListVersion.objects.get(source=un_source, status=VersionStatus.ACTIVE)
    assert now_active.pk == result.version.pk
    assert ListEntry.objects.filter(version=now_active).count() == now_active.entry_count


def test_stored_entries_round_trip_to_the_parser_entry_and_its_hash(un_source) -> None:
    from screening import selectors
    from screening.lists import parse

    version = services.list_version_import(source=un_source, path=UN_SAMPLE, actor=None).version
    _, stream = parse("un-xml", str(UN_SAMPLE))
    parsed = {e.ref: e for e in stream}
    stored = list(ListEntry.objects.filter(version=version))
    assert {row.ref for row in stored} == set(parsed)
    for row in stored:
        rebuilt = selectors.entry_from_data(row.data)
        assert rebuilt == parsed[row.ref]
        assert row.content_hash == rebuilt.content_hash() == parsed[row.ref].content_hash()
    assert {code for code, _ in selectors.active_entries(source_codes=["demo_un"])} == {"demo_un"}
