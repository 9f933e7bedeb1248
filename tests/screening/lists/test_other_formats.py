"""Canada SEMA, BIS DPL, OpenSanctions FtM and Senzing, EU FSF parsers."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from screening.lists import SAMPLES_DIR, bis_dpl, ca_xml, eu_xml, ftm_json, senzing_json
from screening.lists.record import BirthDate, Identifier, ParseError
from tests.shared import shared_path


@pytest.mark.shared
def test_the_canadian_list_has_the_reported_records_with_unique_keys() -> None:
    _, stream = ca_xml.parse(shared_path("watchlists", "canada", "cannada.xml"))
    entries = list(stream)
    assert len(entries) == 4759
    assert len({e.ref for e in entries}) == 4759
    schemas = Counter(e.schema for e in entries)
    assert schemas["Person"] == 3334
    assert schemas["Organization"] + schemas["Vessel"] == 1425
    assert sum(1 for e in entries for i in e.identifiers if i.type == "IMO") == 109
    assert any(n.kind == "original_script" and n.script == "Cyrl" for e in entries for n in e.names)


@pytest.mark.shared
def test_the_denied_persons_list_groups_address_rows_per_party() -> None:
    meta, stream = bis_dpl.parse(shared_path("watchlists", "us_bis", "dpl.txt"))
    entries = {e.ref: e for e in stream}
    assert meta.published_on == "2023-11-28"  # the 3033-09-30 typo is not trusted
    # 546 raw names; " I. ASH" and "I. ASH" are one party once the leading space is dropped.
    assert len(entries) == 545
    assert len(entries["I. ASH"].addresses) >= 2
    assert all(e.topics == ["debarment"] for e in entries.values())


@pytest.mark.shared
def test_ftm_pep_dataset_yields_only_targets_with_the_pep_topic() -> None:
    _, stream = ftm_json.parse(shared_path("watchlists", "opensanctions", "ve_asamblea_nacional", "entities.ftm.json"))
    entries = list(stream)
    assert len(entries) == 274
    assert all(e.topics == ["role.pep"] and e.schema == "Person" for e in entries)


@pytest.mark.shared
def test_ftm_sanctions_link_programmes_and_keep_names_in_all_scripts() -> None:
    _, stream = ftm_json.parse(shared_path("watchlists", "opensanctions", "yente_fixture_zala", "entities.ftm.json"))
    entries = {e.ref: e for e in stream}
    assert Counter(e.schema for e in entries.values()) == {"Person": 6, "Organization": 8}
    person = entries["NK-2Tbri3s6GgNtAwsSXh4qpL"]
    assert person.birth_dates == [BirthDate(value="1988-01-07")]
    assert "GB-RUS" in person.programs
    assert any(n.script == "Cyrl" for n in person.names)
    linked = entries["NK-aU5ybkbRFJucf8YMwsJvDw"]  # its Sanction records come later in the file
    assert linked.listed_on == "2023-07-01"
    assert "EU-UKR" in linked.programs


@pytest.mark.shared
def test_senzing_export_skips_position_records() -> None:
    meta, stream = senzing_json.parse(
        shared_path("watchlists", "opensanctions", "us_congress", "us_congress_senzing.json")
    )
    entries = list(stream)
    assert meta.published_on == "2025-12-08"
    assert len(entries) == 1317
    assert sum(len(e.names) for e in entries) == 1350  # 1,352 names less the 2 position records
    assert all("role.pep" in e.topics for e in entries)


def test_eu_fixture_reads_attributes_year_ranges_and_weak_aliases() -> None:
    meta, stream = eu_xml.parse(SAMPLES_DIR / "eu" / "eu_fsf.xml")
    entries = {e.ref: e for e in stream}
    assert meta.published_on == "2026-01-20"
    person = entries["900101"]
    assert person.primary_name == "Oleg Sergeyevich PRIMEROV"
    assert [n.kind for n in person.names] == ["primary", "original_script", "aka", "weak_aka"]
    assert person.gender == "male"
    assert Identifier(type="National passport", number="700000002", country="RU") in person.identifiers
    assert entries["900102"].birth_dates == [BirthDate(year_from=1970, year_to=1973)]
    assert entries["900103"].schema == "Organization"
    assert entries["900103"].listed_on == "2023-06-23"


def test_an_eu_file_is_not_taken_for_a_un_file(tmp_path) -> None:
    from screening.lists import un_xml

    with pytest.raises(ParseError, match="root element is <export>"):
        un_xml.parse(SAMPLES_DIR / "eu" / "eu_fsf.xml")


def test_xml_entities_are_not_expanded(tmp_path) -> None:
    path = tmp_path / "evil.xml"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE export [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<export generationDate="2026-01-01"><sanctionEntity logicalId="1">'
        '<subjectType code="person"/><nameAlias wholeName="&x;"/></sanctionEntity></export>'
    )
    try:
        _, stream = eu_xml.parse(path)
        entries = list(stream)
    except ParseError:
        return
    assert all("root:" not in n.full for e in entries for n in e.names)


@pytest.mark.parametrize(("line", "when"), [(2, "parse"), (3, "iteration")])
def test_a_json_lines_file_with_a_broken_line_names_the_line(tmp_path, line: int, when: str) -> None:
    raw = (SAMPLES_DIR / "opensanctions" / "entities.ftm.json").read_text().splitlines()
    raw[line - 1] = raw[line - 1][:-30]  # cut the end of the line: the JSON is left unclosed
    path = tmp_path / "x.json"
    path.write_text("\n".join(raw) + "\n")
    if when == "parse":  # line 2 is a Sanction record, decoded by the first pass
        with pytest.raises(ParseError, match=f"line {line}: not a JSON object"):
            ftm_json.parse(path)
    else:
        _, stream = ftm_json.parse(path)
        with pytest.raises(ParseError, match=f"line {line}: not a JSON object"):
            list(stream)


def test_eu_edge_cases_split_names_year_only_dates_and_unknown_countries(tmp_path) -> None:
    path = tmp_path / "eu.xml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<export xmlns="http://eu.europa.ec/fpi/fsd/export" generationDate="2025-05-01T10:00:00.000+02:00">'
        '<sanctionEntity logicalId="7" euReferenceNumber="EU.7.1" designationDate="2019-01-21">'
        '<subjectType code="person" classificationCode="P"/>'
        '<nameAlias firstName="Ana" middleName="" lastName="MODELO" wholeName="" strong="true" nameLanguage=""/>'
        '<nameAlias wholeName="Анна Модело" strong="true" nameLanguage="BG"/>'
        '<birthdate circa="false" year="1961" monthOfYear="" dayOfMonth="" countryIso2Code="00" city="UNKNOWN"/>'
        '<citizenship countryIso2Code="00" countryDescription="UNKNOWN"/>'
        '<identification number="" latinNumber="AB123" identificationTypeCode="id" countryIso2Code="ve"/>'
        "</sanctionEntity></export>",
        encoding="utf-8",
    )
    meta, stream = eu_xml.parse(path)
    [entry] = list(stream)
    assert meta.published_on == "2025-05-01"
    assert [(n.full, n.kind) for n in entry.names] == [("Ana MODELO", "primary"), ("Анна Модело", "original_script")]
    assert entry.birth_dates == [BirthDate(value="1961")]
    assert entry.birth_places == []
    assert entry.nationalities == []
    assert Identifier(type="id", number="AB123", country="VE") in entry.identifiers
    assert entry.listed_on == "2019-01-21"


def test_ftm_identifiers_come_in_a_fixed_order_so_the_content_hash_is_the_same_in_every_process(tmp_path) -> None:
    # A set of property names iterated in string-hash order gave each process its own order.
    props = {prop: [f"{i:08d}"] for i, prop in enumerate(reversed(ftm_json.IDENTIFIER_PROPS))}
    record = {"id": "x-1", "schema": "Company", "properties": {"name": ["Sample Holding"], **props}, "target": True}
    path = tmp_path / "entities.ftm.json"
    path.write_text(json.dumps(record) + "\n")
    _, stream = ftm_json.parse(path)
    (entry,) = list(stream)
    assert [i.type for i in entry.identifiers] == list(ftm_json.IDENTIFIER_PROPS.values())
