"""OFAC legacy CSV set parser, on the real published files in ../shared."""

from __future__ import annotations

from collections import Counter

import pytest

from screening.lists import ofac_csv
from screening.lists.record import BirthDate, Identifier, Name
from tests.shared import shared_path

pytestmark = pytest.mark.shared


def load(*parts: str):
    meta, entries = ofac_csv.parse(shared_path("watchlists", *parts))
    return meta, {e.ref: e for e in entries}


def test_the_2023_sdn_set_has_the_counts_sources_md_reports() -> None:
    meta, entries = load("ofac")
    assert meta.published_on is None  # the CSV set carries no date
    assert len(entries) == 13821
    assert Counter(e.schema for e in entries.values()) == {
        "Person": 6646,
        "Organization": 6033,
        "Vessel": 764,
        "Aircraft": 378,
    }
    kinds = Counter(n.kind for e in entries.values() for n in e.names)
    # alt.csv: 16,507 aka + 17 nka (now known as, kept as aka) + 567 fka.
    assert kinds["aka"] == 16507 + 17
    assert kinds["fka"] == 567
    assert max(int(ref) for ref in entries) == 47089


def test_the_2021_sdn_set_has_the_counts_sources_md_reports() -> None:
    _, entries = load("ofac_history", "2021-07")
    assert len(entries) == 8976
    kinds = Counter(n.kind for e in entries.values() for n in e.names)
    assert kinds["aka"] == 11523 + 18
    assert kinds["fka"] == 369


def test_the_consolidated_non_sdn_csv_set_is_recognised_by_its_file_names() -> None:
    _, entries = load("ofac_consolidated")
    assert len(entries) == 442
    assert Counter(e.schema for e in entries.values()) == {"Person": 79, "Organization": 363}
    assert sum(1 for e in entries.values() for n in e.names if n.kind in ("aka", "fka")) == 1073


def test_an_individual_has_dob_pob_and_passports_parsed_out_of_remarks() -> None:
    _, entries = load("ofac")
    entry = entries["17300"]
    assert entry.primary_name == "AZZOUZ, Abd al-Baset"
    assert entry.birth_dates == [BirthDate(value="1966-02-07")]
    assert entry.birth_places == ["Doma, Libya"]
    assert entry.identifiers == [
        Identifier(type="Passport", number="223611", country="LY"),
        Identifier(type="Passport", number="C00146605", country="GB"),
    ]
    assert entry.programs == ["SDGT"]


def test_weak_aliases_nationality_and_national_ids_come_from_remarks() -> None:
    _, entries = load("ofac")
    entry = entries["17298"]
    assert Name(full="AL-TURKI, Ubayd", kind="weak_aka", script="Latn") in entry.names
    assert entry.nationalities == ["TR"]
    assert Identifier(type="National ID No.", number="56287253110") in entry.identifiers


def test_remarks_cut_at_1000_characters_continue_from_sdn_comments() -> None:
    _, entries = load("ofac")
    entry = entries["28264"]
    assert len(entry.remarks) > 1000
    assert "; Phone Number 8613314257947;" in entry.remarks
    assert entry.programs == ["DPRK3", "CYBER2"]
    addresses = [i for i in entry.identifiers if i.type == "Digital Currency Address - XBT"]
    assert addresses
    assert all(i.number.isalnum() for i in addresses)


def test_every_sdn_of_2021_with_a_cut_remark_gets_its_continuation() -> None:
    _, entries = load("ofac_history", "2021-07")
    for ref in ("12300", "28263", "28264", "29703", "30518"):
        assert len(entries[ref].remarks) > 1000


def test_year_ranges_and_circa_dates_in_remarks_become_birth_dates() -> None:
    dates = ofac_csv.parse_remarks("DOB 1960 to 1962; alt. DOB circa 1955; DOB Sep 1962; DOB 12 Jan 1970.")
    assert dates["birth_dates"] == [
        BirthDate(year_from=1960, year_to=1962),
        BirthDate(value="1955"),
        BirthDate(value="1962-09"),
        BirthDate(value="1970-01-12"),
    ]
