"""OFAC SDN.XML-schema parser, on the real consolidated (non-SDN) XML in ../shared."""

from __future__ import annotations

from collections import Counter

import pytest

from screening.lists import ofac_csv, ofac_xml
from screening.lists.record import BirthDate, ParseError
from tests.shared import shared_path


@pytest.mark.shared
def test_the_consolidated_xml_has_the_counts_sources_md_reports() -> None:
    meta, stream = ofac_xml.parse(shared_path("watchlists", "ofac_consolidated", "consolidated.xml"))
    entries = list(stream)
    assert meta.published_on == "2025-03-28"
    assert meta.declared_count == 443 == len(entries)
    assert Counter(e.schema for e in entries) == {"Organization": 363, "Person": 80}
    assert sum(1 for e in entries for n in e.names if n.kind != "primary") == 1136


@pytest.mark.shared
def test_xml_uids_are_the_same_keys_as_the_csv_ent_nums() -> None:
    _, xml_stream = ofac_xml.parse(shared_path("watchlists", "ofac_consolidated", "consolidated.xml"))
    _, csv_stream = ofac_csv.parse(shared_path("watchlists", "ofac_consolidated"))
    xml_entries = {e.ref: e for e in xml_stream}
    csv_entries = {e.ref: e for e in csv_stream}
    assert len(set(xml_entries) & set(csv_entries)) >= 440
    haniya = xml_entries["9639"]
    assert haniya.primary_name == "HANIYA, Ismail Abdul Salah"
    assert csv_entries["9639"].primary_name == haniya.primary_name
    assert haniya.birth_dates == [BirthDate(value="1962")]
    assert haniya.programs == ["NS-PLC"]


def test_non_identifying_id_list_facts_go_to_remarks_and_gender(tmp_path) -> None:
    from screening.lists import SAMPLES_DIR

    _, stream = ofac_xml.parse(SAMPLES_DIR / "ofac_xml" / "sdn.xml")
    person = next(stream)
    assert person.gender == "male"
    assert [i.type for i in person.identifiers] == ["Passport"]
    assert "Secondary sanctions risk:" in person.remarks


def test_a_truncated_file_fails_with_its_line(tmp_path) -> None:
    from screening.lists import SAMPLES_DIR

    raw = (SAMPLES_DIR / "ofac_xml" / "sdn.xml").read_bytes()
    path = tmp_path / "sdn.xml"
    path.write_bytes(raw[: len(raw) // 2])
    _, stream = ofac_xml.parse(path)
    with pytest.raises(ParseError, match=r"sdn.xml, line \d+: not well-formed XML"):
        list(stream)
