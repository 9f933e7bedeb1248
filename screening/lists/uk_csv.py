"""UK HM Treasury / OFSI Consolidated List of Financial Sanctions Targets (``ConList``).

Both layouts are read, from ``.csv`` or ``.xlsx``:

* **Legacy CSV** (to 2022): 29 columns, **Windows-1252** (curly quotes 0x91-0x94, dashes,
  accented letters; not valid UTF-8), comma separated, quoted only when needed, LF or CRLF.
* **2022 layout** (``.csv`` in UTF-8, or the ``.xlsx`` OFSI also publishes): 36 columns,
  adding ``Name Non-Latin Script`` (+ script type and language), ``Passport Number``,
  ``National Identification Number``/``Details``, ``Alias Quality`` and
  ``UK Sanctions List Date Designated``. In the real XLSX every cell is text (Group ID and
  dates included), some cells hold embedded newlines, and "Last Updated" is both the row-1
  label and a column name.

Shared quirks:

* Row 1 is ``Last Updated,<dd/mm/yyyy>`` (padded with empty cells); row 2 is the header.
  The header is matched by column *name*, so either layout (or a reordered one) works.
* **One row per name variant (and per DOB variant)**: a target is all rows with the same
  ``Group ID``, and those rows are *not* contiguous in real files, so rows are grouped in
  memory (a few tens of thousands of rows at most) before entries are produced.
* **Name 6 is the surname / full entity name**, Name 1-5 are given names; a name is
  rendered ``Name1 … Name5 Name6``. Values may carry leading spaces (``" AL-QAHTANI"``).
* Alias Type ``Prime Alias`` / ``Primary name`` is the primary name, ``Primary name
  variation`` and ``AKA`` are aliases (``Low quality`` ones weak), ``FKA`` former names.
* Dates are ``dd/mm/yyyy`` with unknown parts as ``00`` (``00/00/1980``), or ``mm/yyyy`` or
  ``yyyy``. Nationality may be numbered: ``1) Saudi Arabia 2) Qatar``.
* Group Type Individual / Entity / Ship.

Encoding: a ``.csv`` is decoded as UTF-8 when it is valid UTF-8 (2022 layout), otherwise as
Windows-1252 (legacy); bytes undefined in Windows-1252 are refused.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from screening.lists._common import PathLike, add_unique, clean, exact_date, make_name, promote_primary, uk_date
from screening.lists.countries import to_iso2
from screening.lists.record import BirthDate, Entry, Identifier, ListMeta, Name, ParseError

FORMAT = "uk-csv"
REQUIRED = ("Name 6", "Group Type", "Group ID", "Alias Type", "Regime")
SCHEMAS = {"individual": "Person", "entity": "Organization", "ship": "Vessel"}
PRIMARY = {"prime alias", "primary name"}
FKA = {"fka"}
_NUMBERED = re.compile(r"\s*\(?\d{1,2}\)\s*")
_PASSPORT = re.compile(r"(?:Passport\s*(?:No|Number|no|number)?\s*[.:]?\s*)([A-Z0-9][A-Z0-9-]{4,})")


def parse(path: PathLike) -> tuple[ListMeta, Iterator[Entry]]:
    """Check the two heading rows now; group the rows by Group ID and yield one entry per group."""
    p = Path(path)
    if not p.is_file():
        raise ParseError("not a file (format uk-csv)", path=str(path))
    if p.stat().st_size == 0:
        raise ParseError("the file is empty", path=str(path))
    rows = _xlsx_rows(p) if p.suffix.lower() in (".xlsx", ".xlsm") else _csv_rows(p)
    published, header = _heading(rows, p)
    return ListMeta(published_on=published), _entries(rows, header, p)


def _csv_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise ParseError(
                "neither UTF-8 nor Windows-1252 text: wrong file or encoding", path=str(path), location=f"line {line}"
            ) from None
    if "\x00" in text:
        raise ParseError("binary content (NUL bytes): not a CSV file", path=str(path))
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for row in reader:
                yield reader.line_num, row
        except csv.Error as exc:
            raise ParseError(f"malformed CSV ({exc})", path=str(path), location=f"line {reader.line_num}") from None

    return rows()


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    import openpyxl  # imported here: only the spreadsheet layout needs it

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many unrelated types on a damaged zip/XML part
        raise ParseError(f"not a readable XLSX workbook ({type(exc).__name__})", path=str(path)) from None

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            sheet = workbook.worksheets[0]
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, ["" if v is None else str(v) for v in values]
        except ParseError:
            raise
        except Exception as exc:  # a damaged sheet part surfaces as zlib, XML, KeyError ... errors
            raise ParseError(f"cannot read the XLSX sheet ({type(exc).__name__})", path=str(path)) from None
        finally:
            workbook.close()

    return rows()


def _heading(rows: Iterator[tuple[int, list[str]]], path: Path) -> tuple[str | None, dict[str, int]]:
    first = next(rows, None)
    if first is None or not first[1] or clean(first[1][0]).lower() != "last updated":
        raise ParseError(
            "first row is not 'Last Updated,<date>': not an OFSI consolidated list", path=str(path), location="line 1"
        )
    published = exact_date(uk_date(first[1][1])) if len(first[1]) > 1 else None
    second = next(rows, None)
    header: dict[str, int] = {}
    for index, name in enumerate(second[1] if second else []):
        header.setdefault(clean(name), index)
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ParseError(
            f"header lacks {', '.join(missing)}: not an OFSI consolidated list", path=str(path), location="line 2"
        )
    return published, header


def _entries(rows: Iterable[tuple[int, list[str]]], header: dict[str, int], path: Path) -> Iterator[Entry]:
    groups: dict[str, list[dict[str, str]]] = {}
    width = max(header.values()) + 1
    for line, row in rows:
        if not any(clean(c) for c in row):
            continue
        if len(row) < width:
            row = row + [""] * (width - len(row))
        record = {name: clean(row[index]) for name, index in header.items()}
        group = record["Group ID"]
        if not group:
            raise ParseError("row without a Group ID", path=str(path), location=f"line {line}")
        record["_line"] = str(line)
        groups.setdefault(group, []).append(record)
    if not groups:
        raise ParseError("no targets after the header: the list is empty", path=str(path))
    for group, records in groups.items():
        yield _entry(group, records, path)


def _name(record: dict[str, str]) -> str:
    given = [record.get(f"Name {i}", "") for i in range(1, 6)]
    return " ".join(p for p in (*given, record.get("Name 6", "")) if p)


def _entry(group: str, records: list[dict[str, str]], path: Path) -> Entry:
    type_ = records[0]["Group Type"].lower()
    if type_ not in SCHEMAS:
        raise ParseError(
            f"unknown Group Type {records[0]['Group Type'][:20]!r} for group {group}",
            path=str(path),
            location=f"line {records[0]['_line']}",
        )
    primaries: list[Name] = []
    names: list[Name] = []
    birth_dates: list[BirthDate] = []
    birth_places: list[str] = []
    nationalities: list[str] = []
    identifiers: list[Identifier] = []
    addresses: list[str] = []
    countries: list[str] = []
    programs: list[str] = []
    remarks: list[str] = []
    listed: list[str] = []
    gender: str | None = None
    for r in records:
        alias_type = r.get("Alias Type", "").lower()
        if alias_type in PRIMARY:
            kind = "primary"
        elif alias_type in FKA:
            kind = "fka"
        elif r.get("Alias Quality", "").lower().startswith("low"):
            kind = "weak_aka"
        else:
            kind = "aka"
        name = make_name(_name(r), kind)
        if name is not None:
            add_unique(primaries if kind == "primary" else names, name)
        add_unique(names, make_name(r.get("Name Non-Latin Script"), "original_script"))
        add_unique(birth_dates, uk_date(r.get("DOB", "")))
        add_unique(birth_places, ", ".join(p for p in (r.get("Town of Birth"), r.get("Country of Birth")) if p))
        for nat in _NUMBERED.split(r.get("Nationality", "")):
            add_unique(nationalities, to_iso2(nat))
        if r.get("Passport Number"):
            add_unique(identifiers, Identifier(type="Passport", number=r["Passport Number"]))
        else:
            for number in _PASSPORT.findall(r.get("Passport Details", "")):
                add_unique(identifiers, Identifier(type="Passport", number=number))
        national_id = r.get("National Identification Number") or r.get("NI Number")
        if national_id:
            add_unique(identifiers, Identifier(type="National ID", number=national_id))
        address = [r.get(f"Address {i}", "") for i in range(1, 7)] + [r.get("Post/Zip Code", ""), r.get("Country", "")]
        add_unique(addresses, ", ".join(p for p in address if p))
        for country in _NUMBERED.split(r.get("Country", "")):
            add_unique(countries, to_iso2(country))
        add_unique(programs, r.get("Regime"))
        add_unique(remarks, r.get("Other Information"))
        if r.get("Position"):
            add_unique(remarks, f"Position: {r['Position']}")
        listed_on = exact_date(uk_date(r.get("Listed On", "")))
        if listed_on:
            listed.append(listed_on)
        if m := re.search(r"\(Gender\):\s*(Male|Female)", r.get("Other Information", "")):
            gender = m[1].lower()
    # Two real groups have no primary row: their first name variant stands in.
    if not promote_primary(primaries, names):
        raise ParseError(f"group {group} has no name", path=str(path), location=f"line {records[0]['_line']}")
    return Entry(
        ref=group,
        schema=SCHEMAS[type_],
        names=primaries + [n for n in names if n not in primaries],
        birth_dates=birth_dates,
        birth_places=birth_places,
        nationalities=nationalities,
        countries=countries,
        identifiers=identifiers,
        addresses=addresses,
        programs=programs,
        topics=["sanction"],
        gender=gender,
        listed_on=min(listed) if listed else None,
        remarks=" ".join(remarks),
    )
