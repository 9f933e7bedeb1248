"""OFSI consolidated list parser (legacy CSV in Windows-1252, 2022 layout XLSX), on real files."""

from __future__ import annotations

from collections import Counter

import pytest

from screening.lists import SAMPLES_DIR, uk_csv
from screening.lists.record import BirthDate, ParseError
from tests.shared import shared_path


@pytest.mark.shared
def test_the_legacy_cp1252_csv_groups_its_rows_into_the_reported_targets() -> None:
    meta, stream = uk_csv.parse(shared_path("watchlists", "uk", "sanctionsconlist.csv"))
    entries = {e.ref: e for e in stream}
    assert meta.published_on == "2018-04-13"
    assert len(entries) == 2106
    # One row per name variant and per DOB variant, and the rows of a group are scattered.
    qahtani = entries["13349"]
    assert qahtani.primary_name == "Nayef Salam Muhammad Ujaym AL-HABABI"
    assert "Sheikh Farooq AL-QAHTANI" in [n.full for n in qahtani.names if n.kind == "aka"]
    assert BirthDate(value="1980") in qahtani.birth_dates
    assert BirthDate(value="1981") in qahtani.birth_dates
    assert qahtani.nationalities == ["SA", "QA"]
    assert qahtani.programs == ["The ISIL (Da'esh) and Al-Qaida organisations"]
    assert any(i.number == "592667" for i in qahtani.identifiers)


@pytest.mark.shared
def test_windows_1252_punctuation_is_decoded_not_mangled() -> None:
    _, stream = uk_csv.parse(shared_path("watchlists", "uk", "sanctionsconlist.csv"))
    text = " ".join(e.remarks for e in stream)
    assert "\ufffd" not in text
    assert "’" in text or "–" in text or "é" in text


@pytest.mark.shared
def test_the_2022_layout_xlsx_has_the_reported_groups_and_non_latin_names() -> None:
    meta, stream = uk_csv.parse(shared_path("watchlists", "uk_current", "UK_Sanctions_List.xlsx"))
    entries = list(stream)
    assert meta.published_on == "2025-04-10"
    assert Counter(e.schema for e in entries) == {"Person": 3662, "Organization": 1009, "Vessel": 15}
    scripted = [e for e in entries if any(n.kind == "original_script" for n in e.names)]
    assert len(scripted) >= 2700
    assert any(n.script == "Cyrl" for e in scripted for n in e.names)
    assert all(e.names[0].kind == "primary" for e in entries)


def test_a_utf8_file_that_is_not_an_ofsi_list_is_refused_with_line_1(tmp_path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(ParseError, match="line 1: first row is not 'Last Updated"):
        uk_csv.parse(path)


def test_bytes_undefined_in_windows_1252_are_refused(tmp_path) -> None:
    raw = (SAMPLES_DIR / "uk" / "conlist_legacy.csv").read_bytes().replace(b"Lyon", b"Ly\x81on", 1)
    path = tmp_path / "x.csv"
    path.write_bytes(raw)
    with pytest.raises(ParseError, match="neither UTF-8 nor Windows-1252"):
        uk_csv.parse(path)


def test_the_legacy_sample_reads_accents_and_curly_quotes_from_windows_1252() -> None:
    _, stream = uk_csv.parse(SAMPLES_DIR / "uk" / "conlist_legacy.csv")
    person = next(stream)
    assert person.primary_name == "José EXEMPLAIRE"
    assert person.remarks.startswith("“Fictional”")
