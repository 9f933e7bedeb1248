"""Mutated inputs (truncated, flipped or inserted bytes) give a ParseError or valid entries, never a crash."""

from __future__ import annotations

import functools
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.lists import FORMATS, parse
from screening.lists.record import SCHEMAS, Entry, ParseError

SAMPLES = Path(__file__).resolve().parents[3] / "screening" / "lists" / "samples"

# format -> (sample path, file inside it to mutate or None when the sample is the file)
CASES: dict[str, tuple[Path, str | None]] = {
    "un-xml": (SAMPLES / "un" / "consolidated.xml", None),
    "ofac-csv": (SAMPLES / "ofac", "sdn.csv"),
    "ofac-csv:add": (SAMPLES / "ofac", "add.csv"),
    "ofac-csv:alt": (SAMPLES / "ofac", "alt.csv"),
    "ofac-csv:comments": (SAMPLES / "ofac", "sdn_comments.csv"),
    "ofac-xml": (SAMPLES / "ofac_xml" / "sdn.xml", None),
    "eu-xml": (SAMPLES / "eu" / "eu_fsf.xml", None),
    "uk-csv": (SAMPLES / "uk" / "conlist_legacy.csv", None),
    "uk-csv:2022": (SAMPLES / "uk" / "conlist_2022.csv", None),
    "uk-fcdo": (SAMPLES / "uk_fcdo" / "UK-Sanctions-List.xml", None),
    "uk-fcdo:csv": (SAMPLES / "uk_fcdo" / "UK-Sanctions-List.csv", None),
    "ca-xml": (SAMPLES / "canada" / "sema-lmes.xml", None),
    "bis-dpl": (SAMPLES / "bis" / "dpl.txt", None),
    "ftm-json": (SAMPLES / "opensanctions" / "entities.ftm.json", None),
    "senzing-json": (SAMPLES / "opensanctions" / "senzing.json", None),
}


@st.composite
def mutations(draw: st.DrawFn, data: bytes) -> bytes:
    kind = draw(st.sampled_from(["truncate", "flip", "insert", "delete"]))
    if not data:
        return data
    pos = draw(st.integers(min_value=0, max_value=len(data) - 1))
    if kind == "truncate":
        return data[:pos]
    if kind == "flip":
        byte = draw(st.integers(min_value=0, max_value=255))
        return data[:pos] + bytes([byte]) + data[pos + 1 :]
    if kind == "insert":
        return data[:pos] + draw(st.binary(min_size=1, max_size=8)) + data[pos:]
    length = draw(st.integers(min_value=1, max_value=40))
    return data[:pos] + data[pos + length :]


def test_the_2022_layout_also_loads_from_an_xlsx_workbook(tmp_path) -> None:
    path = tmp_path / "conlist.xlsx"
    write_xlsx(SAMPLES / "uk" / "conlist_2022.csv", path)
    meta, stream = parse("uk-csv", str(path))
    entries = list(stream)
    assert meta.published_on == "2026-01-15"
    assert [e.ref for e in entries] == ["91001", "91002"]
    assert any(n.kind == "original_script" and n.script == "Cyrl" for n in entries[0].names)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_a_mutated_xlsx_workbook_gives_a_parse_error_or_valid_entries(data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        bad = Path(tmp) / "bad.xlsx"
        bad.write_bytes(data.draw(mutations(sample_xlsx())))
        try:
            _, stream = parse("uk-csv", str(bad))
            entries = list(stream)
        except ParseError as exc:
            entries = []
            message = str(exc)
            assert message
        assert_valid(entries)


@functools.cache
def sample_xlsx() -> bytes:
    """The workbook is built once: openpyxl stamps the time into it, and hypothesis needs stable input."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sample.xlsx"
        write_xlsx(SAMPLES / "uk" / "conlist_2022.csv", path)
        return path.read_bytes()


def write_xlsx(csv_path: Path, target: Path) -> None:
    """The 2022-layout sample as OFSI publishes it: one sheet, every cell a string."""
    import csv

    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Data"
    with csv_path.open(encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh):
            sheet.append([cell or None for cell in row])
    workbook.save(target)


def assert_valid(entries: list[Entry]) -> None:
    for entry in entries:
        assert entry.ref
        assert entry.schema in SCHEMAS
        assert entry.names
        assert all(name.full for name in entry.names)
        entry.content_hash()


def outcome(case: str, mutate) -> list[Entry] | ParseError:
    """Parse the case's sample after ``mutate``; the ParseError is returned rather than raised."""
    try:
        return run_mutated_strict(case, mutate)
    except ParseError as exc:
        return exc


@pytest.mark.parametrize("case", sorted(CASES))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_mutated_sample_gives_a_parse_error_or_valid_entries(case: str, data: st.DataObject) -> None:
    source, inner = CASES[case]
    raw = (source / inner).read_bytes() if inner else source.read_bytes()
    mutated = data.draw(mutations(raw))
    result = outcome(case, lambda _: mutated)
    if isinstance(result, ParseError):
        assert str(result)
    else:
        assert_valid(result)


@pytest.mark.parametrize("case", sorted(c for c in CASES if c != "ofac-csv:comments"))
def test_an_empty_file_is_refused(case: str) -> None:
    with pytest.raises(ParseError, match="empty"):
        run_mutated_strict(case, lambda _: b"")


def run_mutated_strict(case: str, mutate) -> list[Entry]:
    source, inner = CASES[case]
    fmt = case.split(":")[0]
    with tempfile.TemporaryDirectory() as tmp:
        if inner is None:
            path = Path(tmp) / source.name
            path.write_bytes(mutate(source.read_bytes()))
        else:
            path = Path(tmp) / "set"
            shutil.copytree(source, path)
            (path / inner).write_bytes(mutate((source / inner).read_bytes()))
        _, stream = parse(fmt, str(path))
        return list(stream)


def test_every_registered_format_has_a_mutation_case() -> None:
    assert {case.split(":")[0] for case in CASES} == set(FORMATS)


def test_every_sample_parses_cleanly() -> None:
    for case in CASES:
        run_mutated_strict(case, lambda raw: raw)


def test_to_dict_equals_dataclasses_asdict_for_every_sample_entry() -> None:
    from dataclasses import asdict

    from screening.lists import SAMPLES, SAMPLES_DIR

    for fmt, paths in SAMPLES.items():
        for rel in paths:
            _, stream = parse(fmt, str(SAMPLES_DIR / rel))
            for entry in stream:
                assert entry.to_dict() == asdict(entry)
