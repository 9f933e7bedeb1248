"""Diffs between real consecutive list versions in ../shared, as SOURCES.md reports them."""

from __future__ import annotations

import pytest

from screening.models import EntryChange, ListVersion
from screening.services import watchlists as services
from tests.shared import shared_path

pytestmark = [pytest.mark.django_db, pytest.mark.shared]


def load(source, *parts: str) -> ListVersion:
    return services.list_version_import(
        source=source, path=shared_path("watchlists", *parts), actor=None, allow_shrink=True
    ).version


def changes(version: ListVersion, kind: str) -> set[str]:
    return set(EntryChange.objects.filter(version=version, kind=kind).values_list("ref", flat=True))


def test_un_2020_11_30_to_2020_12_01_removes_twelve_iraq_entries_only() -> None:
    source = services.source_ensure(code="un_sc", actor=None)
    load(source, "un_history", "2020-11-30_consolidated.xml")
    second = load(source, "un_history", "2020-12-01_consolidated.xml")
    assert (second.added_count, second.removed_count, second.changed_count) == (0, 12, 0)
    removed = changes(second, "removed")
    assert "IQi.035" in removed
    assert {r for r in removed if r.startswith("IQe.")} == {
        f"IQe.{n}" for n in ("032", "086", "100", "111", "125", "144", "167", "170", "177", "184", "192")
    }


def test_un_2025_12_09_to_2026_01_28_to_2026_02_27_removes_one_then_adds_four() -> None:
    source = services.source_ensure(code="un_sc", actor=None)
    load(source, "un_history", "2025-12-09_consolidated.xml")
    january = load(source, "un_history", "2026-01-28_consolidated.xml")
    assert (january.added_count, january.removed_count, january.changed_count) == (0, 1, 0)
    assert changes(january, "removed") == {"IQi.074"}
    february = load(source, "un", "UN_consolidated.xml")
    assert (february.added_count, february.removed_count, february.changed_count) == (4, 0, 0)
    assert changes(february, "added") == {"SDi.007", "SDi.008", "SDi.009", "SDi.010"}
    assert str(february.published_on) == "2026-02-27"


def test_ofac_2021_to_2023_is_a_large_real_diff_with_field_level_changes() -> None:
    source = services.source_ensure(code="us_ofac_sdn", actor=None)
    old = load(source, "ofac_history", "2021-07")
    new = load(source, "ofac")
    assert old.entry_count == 8976
    assert new.entry_count == 13821
    assert new.added_count - new.removed_count == 13821 - 8976
    assert new.changed_count > 0
    assert "32391" not in changes(new, "added")  # DJIBO, listed in 2021, still listed
    fields = {f for row in EntryChange.objects.filter(version=new, kind="changed") for f in row.fields}
    assert {"programs", "remarks"} <= fields
