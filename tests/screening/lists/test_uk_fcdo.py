"""FCDO UK Sanctions List parser (XML and CSV layouts), on hand-written fixtures in the published layout."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from screening.lists import SAMPLES_DIR, parse, uk_fcdo
from screening.lists.record import BirthDate, Identifier, Name, ParseError

XML = SAMPLES_DIR / "uk_fcdo" / "UK-Sanctions-List.xml"
CSV = SAMPLES_DIR / "uk_fcdo" / "UK-Sanctions-List.csv"


def entries(path) -> dict:
    _, stream = uk_fcdo.parse(path)
    return {e.ref: e for e in stream}


def test_the_xml_is_keyed_by_unique_id_and_dated_by_date_generated() -> None:
    meta, stream = uk_fcdo.parse(XML)
    refs = [e.ref for e in stream]
    assert meta.published_on == "2026-02-16"
    assert refs == ["RUS9901", "AFG9906", "CYB9903", "RUS9904", "DPR9905"]


def test_an_individual_keeps_every_name_with_its_kind_and_script() -> None:
    person = entries(XML)["RUS9901"]
    assert person.schema == "Person"
    assert person.names == [
        Name("Ivan Petrovich EXAMPLEV", "primary", "Latn"),
        Name("Ivan Petrovitch EKZAMPLEV", "aka", "Latn"),  # a "Primary name variation"
        Name("Ioann PRIMEROV", "aka", "Latn"),
        Name("Vanya the Example", "weak_aka", "Latn"),  # "Low quality a.k.a"
        Name("Иван Петрович ЭКЗАМПЛЕВ", "original_script", "Cyrl"),
    ]


def test_birth_dates_with_spelled_out_unknown_parts_become_partial_dates() -> None:
    person = entries(XML)["RUS9901"]
    assert person.birth_dates == [
        BirthDate(value="1961-03-12"),
        BirthDate(value="1962"),  # dd/mm/1962
        BirthDate(value="1963-07"),  # dd/07/1963
        BirthDate(value="1964"),  # 00/00/1964
    ]
    assert "Date of birth as published: 15/08/19yy" in person.remarks  # not a date: kept, not lost


def test_documents_nationalities_and_places_of_an_individual_are_read_once_each() -> None:
    person = entries(XML)["RUS9901"]
    assert person.identifiers == [
        Identifier("OFSI Group ID", "16001"),
        Identifier("Passport", "750000001"),  # published twice, kept once
        Identifier("National ID", "770000000001"),
    ]
    assert person.nationalities == ["RU", "CY"]
    assert person.countries == ["RU", "CY"]
    assert person.birth_places == ["Samara, Russia"]
    assert person.addresses == ["12 Example Embankment, Moscow, 101000, Russia", "Limassol, Cyprus"]
    assert person.gender == "male"
    assert person.listed_on == "2022-03-15"
    assert person.programs == ["The Russia (Sanctions) (EU Exit) Regulations 2019"]
    assert person.topics == ["sanction"]
    assert "Sanctions imposed: Asset freeze; Trust services sanctions; Travel Ban" in person.remarks
    assert "Position: Director, NORTHWIND EXAMPLE HOLDINGS" in person.remarks
    assert "Title: Doctor" in person.remarks
    assert "\n" not in person.remarks


def test_a_un_origin_designation_keeps_its_un_reference_and_arabic_name() -> None:
    person = entries(XML)["AFG9906"]
    assert person.primary_name == "ABDUL SAMAD EXAMPLEZAI"  # NameType "Primary name"
    assert Name("Mullah Samad", "aka", "Latn") in person.names  # NameType "ALias"
    assert Name("عبد الصمد", "original_script", "Arab") in person.names
    assert Identifier("UN Reference Number", "TAi.990") in person.identifiers
    assert person.birth_dates == [BirthDate(value="1945"), BirthDate(value="1946")]
    assert person.listed_on == "2001-01-25"


def test_an_entity_reads_registration_numbers_and_a_latin_non_latin_name_as_an_alias() -> None:
    group = entries(XML)["CYB9903"]
    assert group.schema == "Organization"
    assert Name("ООО «Нортвинд Пример»", "original_script", "Cyrl") in group.names
    assert Name("OOO NORTVIND PRIMER", "aka", "Latn") in group.names
    assert group.identifiers == [Identifier("Business registration number", "OGRN: 1027700000000")]
    assert group.countries == ["RU", "CD"]  # "Congo (Democratic Republic)" is the DRC, not Congo
    assert group.birth_dates == []
    assert "Subsidiary: NWX Logistics; NWX Software" in group.remarks
    assert "Email: contact@example.invalid" in group.remarks


def test_ships_are_vessels_with_their_imo_number_in_either_spelling() -> None:
    found = entries(XML)
    assert found["RUS9904"].schema == "Vessel"
    assert Identifier("IMO", "9900007") in found["RUS9904"].identifiers  # published as IMO9900007
    assert Identifier("IMO", "9900019") in found["DPR9905"].identifiers  # published as 9900019
    assert "Current believed flag: Gabon" in found["RUS9904"].remarks


def test_the_csv_layout_gives_the_same_entries_as_the_xml() -> None:
    meta, stream = uk_fcdo.parse(CSV)
    assert meta.published_on == "2026-02-16"  # "Report Date: 16-Feb-2026"
    assert {e.ref: e for e in stream} == entries(XML)


def test_csv_rows_of_a_designation_need_not_be_contiguous(tmp_path) -> None:
    lines = CSV.read_text(encoding="utf-8").split("\r\n")
    head, rows = lines[:2], [line for line in lines[2:] if line]
    # Rows with an embedded line break span two physical lines: shuffle whole records only.
    records, current = [], ""
    for line in rows:
        current = f"{current}\r\n{line}" if current else line
        if current.count('"') % 2 == 0:
            records.append(current)
            current = ""
    random.Random(7).shuffle(records)
    path = tmp_path / "shuffled.csv"
    path.write_text("\r\n".join(head + records) + "\r\n", encoding="utf-8")
    assert entries(path) == entries(XML)


def test_the_format_is_registered_with_its_source_and_sample() -> None:
    from screening.lists import FORMATS, SAMPLES
    from screening.watchlist_sources import DEFAULT_SOURCES, FORMAT_DEFAULT_SOURCE

    assert FORMATS["uk-fcdo"] == "screening.lists.uk_fcdo"
    assert SAMPLES["uk-fcdo"] == ("uk_fcdo/UK-Sanctions-List.xml",)
    assert FORMAT_DEFAULT_SOURCE["uk-fcdo"] == "gb_fcdo"
    spec = DEFAULT_SOURCES["gb_fcdo"]
    assert spec.url == "https://sanctionslist.fcdo.gov.uk/docs/UK-Sanctions-List.xml"
    assert spec.sync_interval == timedelta(hours=2)


# --- bad input -----------------------------------------------------------------------------------------
def test_a_truncated_xml_file_is_refused_with_its_line(tmp_path) -> None:
    raw = XML.read_bytes()
    path = tmp_path / "cut.xml"
    path.write_bytes(raw[: raw.index(b"<UniqueID>CYB9903")])
    _, stream = uk_fcdo.parse(path)
    with pytest.raises(ParseError, match=r"cut\.xml, line \d+: not well-formed XML"):
        list(stream)


def test_a_truncated_csv_file_is_refused(tmp_path) -> None:
    raw = CSV.read_bytes()
    path = tmp_path / "cut.csv"
    path.write_bytes(raw[: raw.index(b"Ivan Petrovich EXAMPLEV is") + 10])  # inside a quoted value
    _, stream = uk_fcdo.parse(path)
    with pytest.raises(ParseError, match="malformed CSV"):
        list(stream)


def test_another_list_is_not_taken_for_the_uk_sanctions_list() -> None:
    with pytest.raises(ParseError, match="root element is <CONSOLIDATED_LIST>, expected <Designations>"):
        uk_fcdo.parse(SAMPLES_DIR / "un" / "consolidated.xml")
    with pytest.raises(ParseError, match="line 1: header lacks unique id, name 6, name type, designation type"):
        uk_fcdo.parse(SAMPLES_DIR / "uk" / "conlist_2022.csv")  # OFSI's ConList, not the FCDO list


def test_a_csv_in_windows_1252_is_refused(tmp_path) -> None:
    text = CSV.read_text(encoding="utf-8").replace("Иван Петрович ЭКЗАМПЛЕВ", "Ivan").replace("عبد الصمد", "x")
    text = text.replace("ООО «Нортвинд Пример»", "OOO «Nortvind»")  # « » exist in Windows-1252
    path = tmp_path / "cp1252.csv"
    path.write_bytes(text.replace("Bulk Carrier", "Bulk Carrièr").encode("cp1252"))  # in the last rows
    _, stream = uk_fcdo.parse(path)
    with pytest.raises(ParseError, match=r"cp1252\.csv, after line \d+: not UTF-8 text"):
        list(stream)


def test_an_xml_declared_utf8_with_windows_1252_bytes_is_refused(tmp_path) -> None:
    path = tmp_path / "bad.xml"
    path.write_bytes(XML.read_bytes().replace(b"Samara", b"S\xe0mara"))
    _, stream = uk_fcdo.parse(path)
    with pytest.raises(ParseError, match=r"bad\.xml"):
        list(stream)


def test_a_designation_without_unique_id_or_known_type_is_refused(tmp_path) -> None:
    raw = XML.read_text(encoding="utf-8")
    for broken, message in (
        (raw.replace("<UniqueID>CYB9903</UniqueID>", ""), "designation without a UniqueID"),
        (raw.replace("<IndividualEntityShip>Ship", "<IndividualEntityShip>Aircraft", 1), "unknown type 'Aircraft'"),
    ):
        path = tmp_path / "broken.xml"
        path.write_text(broken, encoding="utf-8")
        _, stream = uk_fcdo.parse(path)
        with pytest.raises(ParseError, match=message):
            list(stream)


def test_a_list_without_designations_is_refused(tmp_path) -> None:
    path = tmp_path / "none.xml"
    path.write_text('<?xml version="1.0"?><Designations><DateGenerated>01/02/2026</DateGenerated></Designations>')
    meta, stream = uk_fcdo.parse(path)
    assert meta.published_on == "2026-02-01"
    with pytest.raises(ParseError, match="no <Designation>"):
        list(stream)


def test_xml_entities_are_not_expanded(tmp_path) -> None:
    path = tmp_path / "evil.xml"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE Designations [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        "<Designations><Designation><UniqueID>X1</UniqueID><IndividualEntityShip>Entity</IndividualEntityShip>"
        "<Names><Name><Name6>&x;</Name6><NameType>Primary Name</NameType></Name>"
        "<Name><Name6>Example Trading</Name6><NameType>Alias</NameType></Name></Names></Designation></Designations>"
    )
    _, stream = uk_fcdo.parse(path)
    (entry,) = list(stream)
    # The external entity is never read: the name that held it is empty, the alias is the only name left.
    assert [n.full for n in entry.names] == ["Example Trading"]
    assert all("root:" not in n.full for n in entry.names)


@pytest.mark.django_db
def test_the_same_list_in_either_layout_is_the_same_content_for_the_importer() -> None:
    from screening.services import watchlists as services

    source = services.source_ensure(code="gb_fcdo", actor=None)
    assert source.format == "uk-fcdo"
    assert source.sync_interval == timedelta(hours=2)
    first = services.list_version_import(source=source, path=XML, actor=None)
    assert first.created and first.version.entry_count == 5
    assert first.version.counts == {"Organization": 1, "Person": 2, "Vessel": 2}
    again = services.list_version_import(source=source, path=CSV, actor=None)
    assert not again.created
    assert again.reason == "same content as the active version"


def test_parse_by_format_name_dispatches_on_content() -> None:
    for path in (XML, CSV):
        _, stream = parse("uk-fcdo", str(path))
        assert len(list(stream)) == 5
