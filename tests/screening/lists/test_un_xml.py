"""UN SC consolidated XML parser, on the real published files in ../shared."""

from __future__ import annotations

from collections import Counter

import pytest

from screening.lists import un_xml
from screening.lists.record import BirthDate, Identifier, ParseError
from tests.shared import shared_path

pytestmark = pytest.mark.shared


def load(*parts: str):
    meta, entries = un_xml.parse(shared_path("watchlists", *parts))
    return meta, list(entries)


def test_the_current_un_list_has_the_counts_sources_md_reports() -> None:
    meta, entries = load("un", "UN_consolidated.xml")
    assert meta.published_on == "2026-02-27"
    assert Counter(e.schema for e in entries) == {"Person": 730, "Organization": 273}
    kinds = Counter(n.kind for e in entries for n in e.names)
    # 1,524 Good individual + 613 entity aliases are strong; 615 Low are weak; placeholders skipped.
    assert kinds["aka"] == 1524 + 613
    assert kinds["weak_aka"] == 615
    people = [e for e in entries if e.schema == "Person"]
    scripted = [e for e in people if any(n.kind == "original_script" for n in e.names)]
    assert len(scripted) == 336
    programs = Counter(e.programs[0] for e in entries)
    assert programs["Al-Qaida"] == 341
    assert programs["DPRK"] == 155


@pytest.mark.parametrize(
    ("name", "people", "orgs", "aliases", "scripts"),
    [
        ("2017-07-03_consolidated.xml", 650, 371, 1967 + 547, 365 + 35),
        ("2020-11-30_consolidated.xml", 713, 305, 2112 + 566, 366 + 42),
        ("2020-12-01_consolidated.xml", 712, 294, 2112 + 562, 365 + 42),
        ("2025-12-09_consolidated.xml", 727, 273, 2140 + 613, 337 + 42),
        ("2026-01-28_consolidated.xml", 726, 273, 2136 + 613, 336 + 42),
    ],
)
def test_every_historic_un_version_has_its_reported_counts(name, people, orgs, aliases, scripts) -> None:
    _, entries = load("un_history", name)
    assert Counter(e.schema for e in entries) == {"Person": people, "Organization": orgs}
    kinds = Counter(n.kind for e in entries for n in e.names)
    assert kinds["aka"] + kinds["weak_aka"] == aliases
    assert kinds["original_script"] == scripts
    assert len({e.ref for e in entries}) == len(entries)


def test_a_un_individual_has_a_year_range_birth_date_and_an_arabic_original_name() -> None:
    _, entries = load("un", "UN_consolidated.xml")
    entry = next(e for e in entries if e.ref == "QDi.314")
    assert entry.primary_name == "ABDERRAHMANE OULD EL AMAR"
    assert entry.birth_dates == [BirthDate(year_from=1977, year_to=1982)]
    original = [n for n in entry.names if n.kind == "original_script"]
    assert [(n.full, n.script) for n in original] == [("عبد الرحمن ولد العامر", "Arab")]
    assert entry.nationalities == ["ML"]
    assert entry.birth_places == ["Tabankort, Mali"]
    assert entry.listed_on == "2013-02-22"
    assert entry.programs == ["Al-Qaida"]


def test_un_documents_become_identifiers_with_iso_countries() -> None:
    _, entries = load("un", "UN_consolidated.xml")
    with_passport = [i for e in entries for i in e.identifiers if i.type == "Passport" and i.number == "OB 0243318"]
    assert with_passport == [Identifier(type="Passport", number="OB 0243318", country="CD")]


def test_the_older_serialisation_with_padded_values_is_whitespace_collapsed() -> None:
    _, entries = load("un_history", "2017-07-03_consolidated.xml")
    for entry in entries:
        for name in entry.names:
            assert name.full == " ".join(name.full.split())
        assert "\n" not in entry.remarks


def test_a_file_of_another_format_is_refused_with_the_root_element(tmp_path) -> None:
    path = tmp_path / "x.xml"
    path.write_text('<?xml version="1.0"?><sdnList><sdnEntry/></sdnList>')
    with pytest.raises(ParseError, match=r"root element is <sdnList>.*not a un-xml file"):
        un_xml.parse(path)
