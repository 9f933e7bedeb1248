"""Mutated inputs (truncated, flipped or inserted bytes) give a ParseError or valid entries, never a crash."""

from __future__ import annotations

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
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
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


@pytest.mark.parametrize("case", sorted(CASES))
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
