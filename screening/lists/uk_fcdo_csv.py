"""FCDO UK Sanctions List, CSV layout (``UK-Sanctions-List.csv``): the same designations as the XML.

Read through format ``uk-fcdo`` (``screening.lists.uk_fcdo.parse`` picks this reader for a file
that does not start with ``<``). See ``screening.lists.uk_fcdo`` for the list, its sources and the
quirks of its values; the CSV adds its own (layout from moov-io/watchman
``pkg/sources/csl_uk/reader_uk_test.go`` and other
public readers of the real file):

* Line 1 is ``Report Date: 13-Feb-2026`` (the publication date, ``dd-Mon-yyyy``), line 2 the
  header of 58 columns (``Last Updated, Unique ID, OFSI Group ID, UN Reference Number, Name 6,
  Name 1 … Name 5, Name type, Alias strength, Title, Name non-latin script, … Designation Type, …
  D.O.B, Nationality(/ies), … IMO number, … Hull identification number (HIN)``). Columns are
  matched by name (case-insensitively), so a reordered or extended header still reads.
* **One row per combination of repeated values**: the rows of a designation are the cartesian
  product of its names, addresses, phone numbers, DOBs … (one real designation spans 3,780 rows).
  Rows are grouped by ``Unique ID`` (not assumed contiguous) and every value is de-duplicated, which
  gives back the designation the XML states directly. Memory holds one small accumulator per
  designation, not the rows.
* ``Name 6`` comes first in the row but is the family name: names read ``Name 1 … Name 5 Name 6``.
* ``Sanctions Imposed`` is ``|``-separated; UTF-8 (with or without a BOM), comma-separated,
  quoted when needed; values may hold line breaks.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

from screening.lists._common import MONTHS, PathLike, clean, exact_date, open_binary, partial_date
from screening.lists.record import Entry, ListMeta, ParseError
from screening.lists.uk_fcdo import FORMAT, Designation

REQUIRED = ("unique id", "name 6", "name type", "designation type")

# Header (lower case) -> Designation key; names, addresses and places are assembled below.
COLUMNS = {
    "ofsi group id": "ofsi",
    "un reference number": "un_ref",
    "title": "title",
    "name non-latin script": "non_latin",
    "regime name": "regime",
    "designation type": "type",
    "designation source": "source",
    "other information": "other",
    "uk statement of reasons": "reasons",
    "phone number": "phone",
    "website": "website",
    "email address": "email",
    "date designated": "designated",
    "d.o.b": "dob",
    "nationality(/ies)": "nationality",
    "national identifier number": "national_id",
    "national identifier additional information": "national_id_info",
    "passport number": "passport",
    "passport additional information": "passport_info",
    "position": "position",
    "gender": "gender",
    "type of entity": "entity_type",
    "subsidiaries": "subsidiary",
    "parent company": "parent",
    "business registration number (s)": "registration",
    "imo number": "imo",
    "current owner/operator (s)": "owner",
    "previous owner/operator (s)": "previous_owner",
    "current believed flag of ship": "flag",
    "previous flags": "previous_flag",
    "type of ship": "ship_type",
    "tonnage of ship": "tonnage",
    "length of ship": "length",
    "year built": "year_built",
    "hull identification number (hin)": "hin",
}
ADDRESS = [f"address line {i}" for i in range(1, 7)] + ["address postal code", "address country"]
_REPORT_DATE = re.compile(r"report date:\s*(\d{1,2}-[a-z]{3}-\d{4})", re.IGNORECASE)


def parse_csv(path: PathLike) -> tuple[ListMeta, Iterator[Entry]]:
    """Check the report-date line and the header now; group the rows and yield one entry per designation."""
    fh = open_binary(path, fmt=FORMAT)
    text = io.TextIOWrapper(fh, encoding="utf-8-sig", errors="strict", newline="")
    reader = csv.reader(text, strict=True)
    rows = _rows(reader, str(path), text)
    try:
        published, header = _heading(rows, str(path))
    except ParseError:
        text.close()
        raise
    return ListMeta(published_on=published), _entries(rows, header, str(path), text)


def _rows(reader: csv.Reader, path: str, text: io.TextIOWrapper) -> Iterator[tuple[int, list[str]]]:
    try:
        for row in reader:
            if any("\x00" in cell for cell in row):
                raise ParseError(
                    "binary content (NUL bytes): not a CSV file", path=path, location=f"line {reader.line_num}"
                )
            yield reader.line_num, row
    except UnicodeDecodeError:
        raise ParseError(
            "not UTF-8 text: wrong file or encoding", path=path, location=f"after line {reader.line_num}"
        ) from None
    except csv.Error as exc:
        raise ParseError(f"malformed CSV ({exc})", path=path, location=f"line {reader.line_num}") from None
    finally:
        text.close()


def _heading(rows: Iterator[tuple[int, list[str]]], path: str) -> tuple[str | None, dict[str, int]]:
    first = next(rows, None)
    if first is None:
        raise ParseError("no rows: the file is empty", path=path)
    published: str | None = None
    line, row = first
    if row and (m := _REPORT_DATE.match(clean(row[0]))):
        day, month, year = m[1].lower().split("-")  # month names read by MONTHS: never the locale's
        published = exact_date(partial_date(int(year), MONTHS.get(month), int(day)))
        second = next(rows, None)
        line, row = second if second else (line + 1, [])
    header: dict[str, int] = {}
    for index, name in enumerate(row):
        header.setdefault(clean(name).lower(), index)
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ParseError(
            f"header lacks {', '.join(missing)}: not a UK Sanctions List CSV", path=path, location=f"line {line}"
        )
    return published, header


def _entries(
    rows: Iterator[tuple[int, list[str]]], header: dict[str, int], path: str, text: io.TextIOWrapper
) -> Iterator[Entry]:
    designations: dict[str, Designation] = {}
    width = max(header.values()) + 1
    columns = [(key, header[name]) for name, key in COLUMNS.items() if name in header]
    names = [header.get(f"name {i}") for i in range(1, 7)]
    address = [header.get(name) for name in ADDRESS]
    country = header.get("address country")
    birth = [header.get("town of birth"), header.get("country of birth")]
    script = [header.get("non-latin script type"), header.get("non-latin script language")]
    sanctions, name_type, strength = header.get("sanctions imposed"), header["name type"], header.get("alias strength")
    try:
        for line, row in rows:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) < width:
                row = row + [""] * (width - len(row))

            def cell(index: int | None, row: list[str] = row) -> str:
                return clean(row[index]) if index is not None else ""

            ref = cell(header["unique id"])
            if not ref:
                raise ParseError("row without a Unique ID", path=path, location=f"line {line}")
            d = designations.get(ref)
            if d is None:
                d = designations[ref] = Designation(ref=ref, location=f"line {line}")
            for key, index in columns:
                d.add(key, row[index])
            d.add_name([cell(i) for i in names], cell(name_type), cell(strength))
            if cell(header.get("name non-latin script")):
                d.add("script", " / ".join(p for p in (cell(i) for i in script) if p))
            for imposed in cell(sanctions).split("|"):
                d.add("sanctions", imposed)
            d.add("address", ", ".join(p for p in (cell(i) for i in address) if p))
            d.add("address_country", cell(country))
            d.add("birth_place", ", ".join(p for p in (cell(i) for i in birth) if p))
    finally:
        text.close()
    if not designations:
        raise ParseError("no designations after the header: the list is empty", path=path)
    for d in designations.values():
        yield d.entry(path)
